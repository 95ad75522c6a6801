/// The engine has no corpus to teach (a test double, or a server started without teaching).
public struct TeachingUnavailable: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "this server cannot store examples" }
}
