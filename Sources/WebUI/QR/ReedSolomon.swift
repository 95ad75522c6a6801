/// Reed–Solomon error correction over GF(2⁸) with the QR code's field polynomial x⁸+x⁴+x³+x²+1 (0x11D).
///
/// QR codes append `degree` check bytes to each block of data: the remainder of the block, seen as a
/// polynomial, divided by the generator ∏(x − αⁱ) for i in 0..<degree, with α = 2.
struct ReedSolomon {
    /// The generator polynomial's coefficients, highest power first, without the leading 1.
    let divisor: [UInt8]

    /// Builds the generator for a number of check bytes.
    ///
    /// - Parameter degree: how many check bytes each block gets (1...255).
    init(degree: Int) {
        precondition((1...255).contains(degree), "Reed–Solomon degree out of range")
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            // Multiply the current product by (x − root).
            for j in 0..<degree {
                result[j] = Self.multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = Self.multiply(root, 0x02)
        }
        divisor = result
    }

    /// The check bytes for one block of data.
    ///
    /// - Parameter data: the block's data bytes.
    /// - Returns: `divisor.count` check bytes.
    func remainder(of data: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= Self.multiply(divisor[i], factor) }
        }
        return result
    }

    /// Multiplication in GF(2⁸) modulo 0x11D (Russian-peasant, no tables: this runs once per URL).
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z: UInt16 = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= UInt16((y >> UInt8(i)) & 1) * UInt16(x)
        }
        return UInt8(truncatingIfNeeded: z)
    }
}
