import Foundation
import Synchronization

/// A throwing computation on its own thread, joined for its result.
final class BackgroundJob<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts the work at once.
    ///
    /// - Parameters:
    ///   - name: the thread's name, for debuggers.
    ///   - work: the computation.
    init(name: String, _ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the work to finish.
    ///
    /// - Returns: its value.
    /// - Throws: what it threw.
    func join() throws -> Value {
        done.wait()
        done.signal()  // later joins return at once
        return try result.withLock { $0! }.get()
    }
}
