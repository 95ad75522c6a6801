/// An error from a library with the command's own way out appended (a flag to try instead).
struct AdvisedError: Error, CustomStringConvertible {
    let underlying: any Error
    let advice: String

    init(_ underlying: any Error, advice: String) {
        self.underlying = underlying
        self.advice = advice
    }

    var description: String { "\(underlying); \(advice)" }
}
