import Foundation
import Glibc
import Testing

@testable import BatchInvite

/// How a finished file takes its name: over an earlier file (swapped in one step when
/// not durable), a symbolic link, a directory.
@Suite struct OutputFileTests {
    private func write(_ text: String, to path: String, durable: Bool) throws {
        let file = try OutputFile(path: path)
        try file.append(text)
        try file.commit(durable: durable)
    }

    /// The names in `directory` other than `keep`.
    private func others(in directory: URL, keeping keep: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            !keep.contains($0)
        }
    }

    @Test(arguments: [false, true])
    func replacesAnEarlierFileByName(durable: Bool) throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.file("report.csv", "old report\n")
        // A second name for the earlier file: replacing by name leaves it as it was.
        let link = scratch.url.appendingPathComponent("kept.csv").path
        #expect(Glibc.link(path, link) == 0)
        try write("new report\n", to: path, durable: durable)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new report\n")
        #expect(try String(contentsOfFile: link, encoding: .utf8) == "old report\n")
        #expect(try others(in: scratch.url, keeping: ["report.csv", "kept.csv"]).isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// The swap itself, as a report that is not synced takes its name: the two files trade
    /// names in one step; nothing is swapped with a name that holds no regular file.
    @Test func exchangeSwapsTwoRegularFilesAndNothingElse() throws {
        let scratch = try ScratchDirectory()
        let new = try scratch.file("new", "new report\n")
        let old = try scratch.file("old", "old report\n")
        #expect(OutputFile.exchange(new, with: old))
        #expect(try String(contentsOfFile: old, encoding: .utf8) == "new report\n")
        #expect(try String(contentsOfFile: new, encoding: .utf8) == "old report\n")
        let missing = scratch.url.appendingPathComponent("missing").path
        #expect(!OutputFile.exchange(new, with: missing))
        let folder = scratch.url.appendingPathComponent("folder").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        #expect(!OutputFile.exchange(new, with: folder))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
        #expect(try String(contentsOfFile: new, encoding: .utf8) == "old report\n")
    }

    @Test func replacesASymbolicLinkNotWhatItPointsTo() throws {
        let scratch = try ScratchDirectory()
        let target = try scratch.file("elsewhere.csv", "not to be touched\n")
        let path = scratch.url.appendingPathComponent("report.csv").path
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        try write("new report\n", to: path, durable: false)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "not to be touched\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new report\n")
        let type =
            try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        #expect(type == .typeRegular)
    }

    @Test func refusesToReplaceADirectory() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("report.csv").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        _ = try scratch.file("report.csv/inside", "kept\n")
        #expect(throws: BatchInviteError.self) {
            try write("new report\n", to: path, durable: false)
        }
        #expect(try String(contentsOfFile: path + "/inside", encoding: .utf8) == "kept\n")
        #expect(try others(in: scratch.url, keeping: ["report.csv"]).isEmpty)
    }
}
