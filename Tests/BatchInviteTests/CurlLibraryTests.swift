import Testing

@testable import BatchInvite

/// libcurl is opened when a command first sends (`Curl`): what a machine without it, or
/// with something else under its name, is told.
@Suite struct CurlLibraryTests {
    @Test func aMissingOrWrongLibraryIsNamedWithWhatToInstall() {
        #expect(Curl.open(Curl.library).problem == nil)
        let absent = Curl.open("libcurl-absent.so.9")
        #expect(
            absent.problem?.contains("libcurl-absent.so.9: cannot open shared object file") == true)
        // A library that is not libcurl: the first function it lacks is named.
        let other = Curl.open("libcsv.so.3")
        #expect(other.problem?.contains("undefined symbol: curl_global_init") == true)
        let error = Curl.error(absent.problem ?? "")
        #expect(
            error.description.hasPrefix(
                "cannot load libcurl.so.4 (libcurl-absent.so.9: cannot open"))
        #expect(
            error.description.hasSuffix(
                "batch-invite sends through libcurl; install it (Debian and Ubuntu: apt-get install libcurl4)"
            ))
        #expect(error.exitCode == .usage)
    }
}
