import Foundation

#if _endian(big)
    #error("safetensors tensors are little-endian; add byte swapping for this platform")
#endif

/// A safetensors file read into memory: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian tensor data.
struct SafeTensorsFile {
    /// One tensor's entry in the header.
    struct Entry {
        var dtype: String
        var shape: [Int]
        /// Byte range within the data section (after the header).
        var range: Range<Int>
    }

    let url: URL
    let tensors: [String: Entry]
    /// The header's `__metadata__` strings (model name, checkpoint sha256, …).
    let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    /// Reads and validates the header; every tensor's bytes are checked to lie inside the file.
    ///
    /// - Parameter url: the file.
    /// - Throws: `VisionError` when the file is missing, unreadable, malformed or truncated.
    init(contentsOf url: URL) throws {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw VisionError.unreadable(url, reason: "no such file")
        }
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw VisionError.unreadable(url, reason: "\(error.localizedDescription)")
        }
        guard data.count >= 8 else {
            throw VisionError.invalidWeights(url, reason: "the file has only \(data.count) bytes")
        }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * $1.offset)
        }
        guard headerLength <= UInt64(data.count - 8), headerLength <= 100_000_000 else {
            throw VisionError.invalidWeights(url, reason: "header length \(headerLength) exceeds the file")
        }
        dataStart = 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<dataStart))
        } catch {
            throw VisionError.invalidWeights(url, reason: "the header is not JSON")
        }
        guard let header = json as? [String: Any] else {
            throw VisionError.invalidWeights(url, reason: "the header is not a JSON object")
        }
        metadata = header["__metadata__"] as? [String: String] ?? [:]
        var tensors: [String: Entry] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
                offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1]
            else {
                throw VisionError.invalidWeights(url, reason: "malformed header entry for tensor \(name)")
            }
            tensors[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        // Report the first tensor (in file order) that the file is too short to hold.
        let available = data.count - dataStart
        if let cut = tensors.filter({ $0.value.range.upperBound > available })
            .min(by: { $0.value.range.lowerBound < $1.value.range.lowerBound })
        {
            throw VisionError.truncatedWeights(
                url, tensor: cut.key, needed: dataStart + cut.value.range.upperBound, available: data.count)
        }
        self.tensors = tensors
    }

    /// The named F32 tensor's values, after checking its shape.
    ///
    /// - Parameters:
    ///   - name: the state-dict key.
    ///   - shape: the shape the network needs.
    /// - Returns: the values in row-major order.
    /// - Throws: `VisionError` when the tensor is missing, not F32, or of another shape.
    func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let entry = tensors[name] else { throw VisionError.missingTensor(url, tensor: name) }
        guard entry.dtype == "F32" else {
            throw VisionError.wrongTensorType(url, tensor: name, dtype: entry.dtype)
        }
        guard entry.shape == shape else {
            throw VisionError.wrongTensorShape(url, tensor: name, expected: shape, found: entry.shape)
        }
        let count = shape.reduce(1, *)
        guard entry.range.count == count * 4 else {
            throw VisionError.invalidWeights(
                url,
                reason:
                    "tensor \(name) holds \(entry.range.count) bytes, its shape \(shape) needs \(count * 4)")
        }
        // Safetensors data is little-endian, like every platform Swift runs Scenophone on.
        return [Float](unsafeUninitializedCapacity: count) { values, initialized in
            data.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(values).copyMemory(
                    from: UnsafeRawBufferPointer(
                        rebasing: raw[(dataStart + entry.range.lowerBound)...].prefix(count * 4)))
            }
            initialized = count
        }
    }
}
