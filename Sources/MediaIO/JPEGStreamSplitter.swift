/// Cuts a stream of concatenated JPEG images (ffmpeg's `image2pipe` with `mjpeg`) into images.
///
/// It follows the marker structure (segment lengths, byte stuffing in the entropy-coded data), so an
/// `FF D9` that happens to sit inside a table or a comment is not taken for the end of an image.
struct JPEGStreamSplitter {
    private enum State {
        case seekingStart
        case seekingStartMarker
        case markerPrefix
        case marker
        case lengthHigh(marker: UInt8)
        case lengthLow(marker: UInt8, high: UInt8)
        case skipping(remaining: Int, thenScan: Bool)
        case scan
        case scanAfterFF
    }

    private var state = State.seekingStart
    private var image: [UInt8] = []

    /// Feeds bytes; calls `emit` with every image completed by them.
    ///
    /// - Parameters:
    ///   - bytes: the next bytes of the stream.
    ///   - emit: receives each complete image, from `FF D8` to `FF D9` inclusive.
    mutating func push(_ bytes: UnsafeRawBufferPointer, emit: ([UInt8]) -> Void) {
        for byte in bytes {
            switch state {
            case .seekingStart:
                if byte == 0xFF { state = .seekingStartMarker }
                continue
            case .seekingStartMarker:
                if byte == 0xD8 {
                    image = [0xFF, 0xD8]
                    state = .markerPrefix
                } else if byte != 0xFF {
                    state = .seekingStart
                }
                continue
            default:
                break
            }
            image.append(byte)
            switch state {
            case .markerPrefix:
                // Anything but a marker here means the stream is damaged: look for the next image.
                state = byte == 0xFF ? .marker : .seekingStart
            case .marker, .scanAfterFF:
                let inScan: Bool
                if case .scanAfterFF = state { inScan = true } else { inScan = false }
                switch byte {
                case 0xFF:
                    break  // fill byte
                case 0x00 where inScan, 0xD0...0xD7 where inScan:
                    state = .scan  // stuffed 0xFF or restart marker: still entropy-coded data
                case 0xD9:
                    emit(image)
                    image = []
                    state = .seekingStart
                case 0x01, 0xD0...0xD7:
                    state = .markerPrefix  // markers without a length
                default:
                    state = .lengthHigh(marker: byte)
                }
            case .lengthHigh(let marker):
                state = .lengthLow(marker: marker, high: byte)
            case .lengthLow(let marker, let high):
                let remaining = (Int(high) << 8 | Int(byte)) - 2
                let isScan = marker == 0xDA
                state =
                    remaining > 0
                    ? .skipping(remaining: remaining, thenScan: isScan) : (isScan ? .scan : .markerPrefix)
            case .skipping(let remaining, let thenScan):
                state =
                    remaining > 1
                    ? .skipping(remaining: remaining - 1, thenScan: thenScan)
                    : (thenScan ? .scan : .markerPrefix)
            case .scan:
                if byte == 0xFF { state = .scanAfterFF }
            case .seekingStart, .seekingStartMarker:
                break
            }
        }
    }
}
