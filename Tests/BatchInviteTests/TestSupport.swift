import BatchInvite
import Foundation
import Testing

/// A scratch directory removed when the test ends.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "batch-invite-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `bytes` to a file named `name` and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func file(_ name: String, _ text: String) throws -> String {
        try file(name, Array(text.utf8))
    }
}

/// What a `CSVReader` made of some input: the records' fields and lines, the blank
/// records skipped, or the error.
struct ReadResult {
    var records: [[String]] = []
    var lines: [Int] = []
    var problems: [RecordProblem?] = []
    var blank = 0
    var error: BatchInviteError?
}

func readCSV(
    _ bytes: [UInt8], delimiter: UInt8? = UInt8(ascii: ","), encoding: TextEncoding? = .utf8,
    skipLines: Int? = 0, chunkSize: Int = 256 * 1024
) throws -> ReadResult {
    let scratch = try ScratchDirectory()
    let path = try scratch.file("input.csv", bytes)
    let reader = try CSVReader(
        input: TextInput(
            path: path, encoding: encoding, skipLines: skipLines, chunkSize: chunkSize),
        delimiter: delimiter)
    var result = ReadResult()
    do {
        try reader.forEachRecord { record in
            result.records.append(record.strings)
            result.lines.append(record.line)
            result.problems.append(record.problem)
        }
    } catch let error as BatchInviteError {
        result.error = error
    }
    result.blank = reader.blankRecordsSkipped
    return result
}

func readCSV(_ text: String, delimiter: UInt8? = UInt8(ascii: ","), chunkSize: Int = 256 * 1024)
    throws -> ReadResult
{
    try readCSV(Array(text.utf8), delimiter: delimiter, chunkSize: chunkSize)
}

/// A test of `../shared/conformance`: run where the corpus sits beside the project, else
/// reported as skipped with the reason (the corpus is no part of a clone, and no `make test`
/// installs it, so it is not a failure under CI=true either).
let needsConformanceCorpus = ConditionTrait.enabled(
    if: conformanceDirectory() != nil,
    "the shared conformance corpus, ../shared/conformance, is absent"
)

/// `../shared/conformance` beside the project, if it is there.
func conformanceDirectory() -> URL? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    let candidate = url.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    return FileManager.default.fileExists(
        atPath: candidate.appendingPathComponent("manifest.json").path)
        ? candidate : nil
}
