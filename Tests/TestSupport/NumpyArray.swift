import Foundation

/// A float32 array read from a NumPy `.npy` file (format versions 1–3, C order, little-endian).
public struct NumpyArray: Sendable {
    /// The dimensions, outermost first.
    public var shape: [Int]
    /// The values in row-major order.
    public var values: [Float]

    /// Reads `url`.
    ///
    /// - Parameter url: a `.npy` file holding `<f4` data.
    /// - Throws: `NumpyArray.Error` when the file is not such an array.
    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, String(decoding: bytes[1..<6], as: UTF8.self) == "NUMPY"
        else {
            throw Error(url: url, reason: "no .npy magic")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        }
        guard headerStart + headerLength <= bytes.count else {
            throw Error(url: url, reason: "truncated header")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else {
            throw Error(url: url, reason: "not little-endian float32")
        }
        guard header.contains("'fortran_order': False") else {
            throw Error(url: url, reason: "Fortran order")
        }
        guard let open = header.range(of: "'shape': ("),
            let close = header[open.upperBound...].firstIndex(of: ")")
        else { throw Error(url: url, reason: "no shape") }
        shape = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == count * 4 else {
            throw Error(url: url, reason: "\(bytes.count - dataStart) data bytes for shape \(shape)")
        }
        values = (0..<count).map { i in
            let o = dataStart + 4 * i
            return Float(
                bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
                    | UInt32(bytes[o + 3]) << 24)
        }
    }

    /// Why a `.npy` file could not be read.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var url: URL
        public var reason: String
        public var description: String { "\(url.path): \(reason)" }
    }
}

/// The largest absolute difference between two equally long sequences of floats.
///
/// - Parameters:
///   - a: the first sequence.
///   - b: the second sequence.
/// - Returns: `max |a[i] − b[i]|`, or infinity when the lengths differ.
public func maxAbsoluteDifference<A: Collection<Float>, B: Collection<Float>>(_ a: A, _ b: B) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
