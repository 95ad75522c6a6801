/// A source's category: a short label such as `rain` or `city-street` saying what kind of scene the
/// source is, so that `scenophone evaluate` can measure how much of the sound a corpus plays for an
/// input comes from sources of the input's own kind.
///
/// A category is 1…60 letters, digits, `-` or `_`. Spaces, dots and punctuation are excluded so that
/// a category can follow a source on the command line (`rain.jpg+rain.ogg@rain`) and stand in a CSV
/// manifest unquoted.
public enum SourceCategory {
    /// The longest category, in characters.
    public static let maximumLength = 60

    /// Whether a string is a usable category.
    ///
    /// - Parameter category: the candidate.
    /// - Returns: true when ``validate(_:)`` would accept it.
    public static func isValid(_ category: String) -> Bool {
        !category.isEmpty && category.count <= maximumLength
            && category.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || $0.properties.numericType == .decimal || $0 == "-" || $0 == "_"
            }
    }

    /// Checks a category.
    ///
    /// - Parameter category: the candidate.
    /// - Throws: `CorpusError.invalidInput` naming the category and the rule it breaks.
    public static func validate(_ category: String) throws {
        guard !isValid(category) else { return }
        throw CorpusError.invalidInput(
            "category '\(category)'",
            reason: category.isEmpty
                ? "a category cannot be empty"
                : "a category is 1 to \(maximumLength) letters, digits, '-' or '_' (e.g. rain, city-street)")
    }
}
