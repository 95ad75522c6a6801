import Foundation

/// Eigenvalues and eigenvectors of a symmetric matrix, through LAPACK's `ssyevd` in OpenBLAS.
///
/// OpenBLAS ships LAPACK's Fortran entry points but no C header for them, so the symbol is looked
/// up by name; Fortran passes every argument by reference and each character argument's length
/// after the others.
enum SymmetricEigensolver {
    private typealias SSYEVD =
        @convention(c) (
            UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Float>,
            UnsafePointer<Int32>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
            UnsafePointer<Int32>,
            UnsafeMutablePointer<Int32>, UnsafePointer<Int32>, UnsafeMutablePointer<Int32>, Int, Int
        ) -> Void

    private static let ssyevd: SSYEVD? = dlsym(nil, "ssyevd_").map {
        unsafeBitCast($0, to: SSYEVD.self)
    }

    /// Whether LAPACK was found in the loaded OpenBLAS.
    static var isAvailable: Bool { ssyevd != nil }

    /// Decomposes a symmetric `n × n` matrix in place.
    ///
    /// - Parameters:
    ///   - matrix: the matrix, row-major (symmetric, so also column-major); on return row `j` holds
    ///     the unit eigenvector of the `j`-th eigenvalue.
    ///   - n: the order.
    /// - Returns: the eigenvalues in ascending order, or nil when LAPACK is missing or fails.
    static func decompose(_ matrix: UnsafeMutablePointer<Float>, order n: Int) -> [Float]? {
        guard let ssyevd else { return nil }
        var order = Int32(n)
        var values = [Float](repeating: 0, count: n)
        var info: Int32 = 0
        // A workspace query first, then the real call.
        var workSize: Float = 0
        var iworkSize: Int32 = 0
        var query: Int32 = -1
        "V".withCString { jobz in
            "U".withCString { uplo in
                ssyevd(
                    jobz, uplo, &order, matrix, &order, &values, &workSize, &query, &iworkSize, &query, &info,
                    1, 1)
            }
        }
        guard info == 0 else { return nil }
        var lwork = Int32(workSize)
        var liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        "V".withCString { jobz in
            "U".withCString { uplo in
                ssyevd(
                    jobz, uplo, &order, matrix, &order, &values, &work, &lwork, &iwork, &liwork, &info, 1, 1)
            }
        }
        return info == 0 ? values : nil
    }
}
