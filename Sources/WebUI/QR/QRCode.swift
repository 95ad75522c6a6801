/// A QR code symbol (ISO/IEC 18004, model 2) holding bytes in byte mode.
///
/// Scenophone prints the URL of its web page as a QR code so a phone can open it; nothing here is
/// specific to URLs. The encoder picks the smallest version (1–40) that holds the data at the requested
/// error-correction level and the mask with the lowest penalty, as the standard prescribes.
public struct QRCode: Sendable {
    /// The version, 1–40: the symbol is `17 + 4 × version` modules wide.
    public let version: Int
    /// How much damage the symbol tolerates.
    public let errorCorrection: QRErrorCorrection
    /// The mask pattern applied to the data modules (0–7).
    public private(set) var mask: Int
    /// Modules per side.
    public var size: Int { 17 + 4 * version }

    /// Dark modules, row-major (`modules[y * size + x]`).
    private var modules: [Bool]
    /// Modules that belong to finder, timing, alignment, format or version patterns.
    private var isFunction: [Bool]

    /// Whether the module at column `x`, row `y` is dark.
    public subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// Encodes text as UTF-8 bytes.
    ///
    /// - Parameters:
    ///   - text: what the code should say, for example a URL.
    ///   - errorCorrection: the level; medium (15 %) by default.
    /// - Throws: `QRCodeError.dataTooLong` when no version holds the text.
    public init(text: String, errorCorrection: QRErrorCorrection = .medium) throws {
        try self.init(bytes: Array(text.utf8), errorCorrection: errorCorrection)
    }

    /// Encodes bytes in byte mode.
    ///
    /// - Parameters:
    ///   - bytes: the payload.
    ///   - errorCorrection: the level; medium (15 %) by default.
    ///   - minimumVersion: the smallest version to consider (tests use it to exercise large symbols).
    /// - Throws: `QRCodeError.dataTooLong` when no version holds the bytes.
    public init(bytes: [UInt8], errorCorrection: QRErrorCorrection = .medium, minimumVersion: Int = 1) throws
    {
        precondition((1...40).contains(minimumVersion), "QR versions run from 1 to 40")
        var chosen: Int?
        for version in minimumVersion...40 {
            let countBits = version < 10 ? 8 : 16
            let needed = 4 + countBits + 8 * bytes.count
            if bytes.count < 1 << countBits
                && needed <= Self.dataCodewordCount(version: version, errorCorrection) * 8
            {
                chosen = version
                break
            }
        }
        guard let version = chosen else {
            throw QRCodeError.dataTooLong(
                bytes: bytes.count, capacity: Self.dataCodewordCount(version: 40, errorCorrection) - 3)
        }
        self.version = version
        self.errorCorrection = errorCorrection
        let size = 17 + 4 * version
        modules = Array(repeating: false, count: size * size)
        isFunction = Array(repeating: false, count: size * size)
        mask = 0

        drawFunctionPatterns()
        let codewords = Self.interleavedCodewords(
            Self.dataCodewords(bytes, version: version, errorCorrection), version: version, errorCorrection)
        drawCodewords(codewords)

        // Try every mask and keep the one the standard's penalty rules like best.
        var best = (mask: 0, penalty: Int.max)
        for candidate in 0..<8 {
            applyMask(candidate)
            drawFormatBits(mask: candidate)
            let penalty = penaltyScore()
            if penalty < best.penalty { best = (candidate, penalty) }
            applyMask(candidate)  // XOR again undoes it
        }
        mask = best.mask
        applyMask(mask)
        drawFormatBits(mask: mask)
    }

    // MARK: Data codewords

    /// The payload as the standard's bit stream: mode, count, bytes, terminator and padding.
    private static func dataCodewords(
        _ bytes: [UInt8], version: Int, _ errorCorrection: QRErrorCorrection
    ) -> [UInt8] {
        let capacityBits = dataCodewordCount(version: version, errorCorrection) * 8
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)  // byte mode
        bits.append(bytes.count, count: version < 10 ? 8 : 16)
        for byte in bytes { bits.append(Int(byte), count: 8) }
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var padByte = 0xEC
        while bits.count < capacityBits {
            bits.append(padByte, count: 8)
            padByte ^= 0xEC ^ 0x11
        }
        return bits.bytes
    }

    /// Splits the data into blocks, appends each block's check bytes, and interleaves them.
    private static func interleavedCodewords(
        _ data: [UInt8], version: Int, _ errorCorrection: QRErrorCorrection
    ) -> [UInt8] {
        let blockCount = errorCorrection.blockCounts[version]
        let checkLength = errorCorrection.checkBytesPerBlock[version]
        let rawCodewords = rawDataModuleCount(version: version) / 8
        let shortBlockCount = blockCount - rawCodewords % blockCount
        let shortBlockLength = rawCodewords / blockCount
        let code = ReedSolomon(degree: checkLength)

        var blocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blockCount {
            let dataLength = shortBlockLength - checkLength + (index < shortBlockCount ? 0 : 1)
            let blockData = Array(data[offset..<offset + dataLength])
            offset += dataLength
            blocks.append(blockData + code.remainder(of: blockData))
        }
        var result: [UInt8] = []
        result.reserveCapacity(rawCodewords)
        // Data bytes column by column (short blocks have one fewer), then the check bytes likewise.
        for column in 0..<(shortBlockLength - checkLength + 1) {
            for (index, block) in blocks.enumerated()
            where column < shortBlockLength - checkLength || index >= shortBlockCount {
                result.append(block[column])
            }
        }
        for column in 0..<checkLength {
            for block in blocks { result.append(block[block.count - checkLength + column]) }
        }
        return result
    }

    /// Data modules available in a version once the function patterns are placed.
    static func rawDataModuleCount(version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignmentCount = version / 7 + 2
            result -= (25 * alignmentCount - 10) * alignmentCount - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    /// Data bytes a version holds at a level (the rest are check bytes).
    static func dataCodewordCount(version: Int, _ errorCorrection: QRErrorCorrection) -> Int {
        rawDataModuleCount(version: version) / 8 - errorCorrection.checkBytesPerBlock[version]
            * errorCorrection.blockCounts[version]
    }

    // MARK: Function patterns

    private mutating func setFunction(_ x: Int, _ y: Int, dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    private mutating func drawFunctionPatterns() {
        for i in 0..<size {
            setFunction(6, i, dark: i % 2 == 0)
            setFunction(i, 6, dark: i % 2 == 0)
        }
        drawFinder(centerX: 3, centerY: 3)
        drawFinder(centerX: size - 4, centerY: 3)
        drawFinder(centerX: 3, centerY: size - 4)

        let positions = alignmentPositions
        let last = positions.count - 1
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() {
                // The three corners hold finder patterns instead.
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { setFunction(x + dx, y + dy, dark: max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormatBits(mask: 0)  // reserves the area; redrawn once the mask is chosen
        drawVersionBits()
    }

    /// A 7×7 finder with its one-module light separator, clipped at the symbol's edge.
    private mutating func drawFinder(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx
                let y = centerY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let distance = max(abs(dx), abs(dy))
                setFunction(x, y, dark: distance != 2 && distance != 4)
            }
        }
    }

    /// Centres of the alignment patterns along each axis (empty for version 1).
    private var alignmentPositions: [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        var result = [6]
        var position = size - 7
        while result.count < count {
            result.insert(position, at: 1)
            position -= step
        }
        return result
    }

    /// Format information: level and mask, BCH(15,5)-protected, drawn twice.
    private mutating func drawFormatBits(mask: Int) {
        let data = errorCorrection.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 != 0 }

        for i in 0...5 { setFunction(8, i, dark: bit(i)) }
        setFunction(8, 7, dark: bit(6))
        setFunction(8, 8, dark: bit(7))
        setFunction(7, 8, dark: bit(8))
        for i in 9..<15 { setFunction(14 - i, 8, dark: bit(i)) }

        for i in 0..<8 { setFunction(size - 1 - i, 8, dark: bit(i)) }
        for i in 8..<15 { setFunction(8, size - 15 + i, dark: bit(i)) }
        setFunction(8, size - 8, dark: true)  // the dark module, always set
    }

    /// Version information (versions 7 and up), BCH(18,6)-protected, drawn twice.
    private mutating func drawVersionBits() {
        guard version >= 7 else { return }
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = version << 12 | remainder
        for i in 0..<18 {
            let dark = (bits >> i) & 1 != 0
            let a = size - 11 + i % 3
            let b = i / 3
            setFunction(a, b, dark: dark)
            setFunction(b, a, dark: dark)
        }
    }

    // MARK: Data placement and masking

    /// Places the codewords in the standard's two-column zigzag, skipping function modules.
    private mutating func drawCodewords(_ codewords: [UInt8]) {
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }  // the vertical timing pattern
            let upward = (right + 1) & 2 == 0
            for vertical in 0..<size {
                let y = upward ? size - 1 - vertical : vertical
                for column in 0..<2 {
                    let x = right - column
                    guard !isFunction[y * size + x], bitIndex < codewords.count * 8 else { continue }
                    modules[y * size + x] = (codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7))) & 1 != 0
                    bitIndex += 1
                }
            }
            right -= 2
        }
    }

    /// Inverts the data modules where the mask's condition holds (applying it twice undoes it).
    private mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] {
                let invert: Bool
                switch mask {
                case 0: invert = (x + y) % 2 == 0
                case 1: invert = y % 2 == 0
                case 2: invert = x % 3 == 0
                case 3: invert = (x + y) % 3 == 0
                case 4: invert = (x / 3 + y / 2) % 2 == 0
                case 5: invert = x * y % 2 + x * y % 3 == 0
                case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y * size + x].toggle() }
            }
        }
    }

    /// The standard's penalty (ISO/IEC 18004 7.8.3): long runs, 2×2 blocks, finder look-alikes, and
    /// imbalance between dark and light.
    private func penaltyScore() -> Int {
        var penalty = 0
        var line = [Bool](repeating: false, count: size)
        for index in 0..<size {
            for i in 0..<size { line[i] = modules[index * size + i] }
            penalty += linePenalty(line)
            for i in 0..<size { line[i] = modules[i * size + index] }
            penalty += linePenalty(line)
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = modules[y * size + x]
                if colour == modules[y * size + x + 1] && colour == modules[(y + 1) * size + x]
                    && colour == modules[(y + 1) * size + x + 1]
                {
                    penalty += 3
                }
            }
        }
        var dark = 0
        for module in modules where module { dark += 1 }
        let total = size * size
        penalty += ((abs(dark * 20 - total * 10) + total - 1) / total - 1) * 10
        return penalty
    }

    /// Rules 1 and 3 along one row or column: runs of five or more, and 1:1:3:1:1 finder look-alikes
    /// with four light modules on either side (outside the symbol counts as light).
    private func linePenalty(_ line: [Bool]) -> Int {
        var penalty = 0
        var runLength = 1
        for i in 1..<line.count {
            if line[i] == line[i - 1] {
                runLength += 1
            } else {
                if runLength >= 5 { penalty += runLength - 2 }
                runLength = 1
            }
        }
        if runLength >= 5 { penalty += runLength - 2 }

        func isDark(_ i: Int) -> Bool { i >= 0 && i < line.count && line[i] }
        for start in 0...(line.count - 7)
        where line[start] && !line[start + 1] && line[start + 2] && line[start + 3] && line[start + 4]
            && !line[start + 5] && line[start + 6]
        {
            let lightBefore =
                !isDark(start - 1) && !isDark(start - 2) && !isDark(start - 3) && !isDark(start - 4)
            let lightAfter =
                !isDark(start + 7) && !isDark(start + 8) && !isDark(start + 9) && !isDark(start + 10)
            if lightBefore || lightAfter { penalty += 40 }
        }
        return penalty
    }
}

/// Why a QR code could not be made.
public enum QRCodeError: Error, CustomStringConvertible {
    /// More bytes than the largest symbol holds at the chosen level.
    case dataTooLong(bytes: Int, capacity: Int)

    public var description: String {
        switch self {
        case .dataTooLong(let bytes, let capacity):
            "cannot make a QR code of \(bytes) bytes: at most \(capacity) fit at this error-correction level"
        }
    }
}

/// Bits appended most significant first, read back as bytes.
private struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, count bitCount: Int) {
        for i in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> i) & 1 != 0 { bytes[count / 8] |= 1 << (7 - UInt8(count % 8)) }
            count += 1
        }
    }
}
