import Foundation

/// A picture file that cannot be used, and why.
struct ImageFileError: Error, CustomStringConvertible {
    var url: URL
    var problem: String
    var description: String { "\(url.path): \(problem)" }
}
