// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "batch-invite",
    products: [
        .executable(name: "batch-invite", targets: ["batch-invite"])
    ],
    targets: [
        // libcsv from Debian's libcsv-dev, reached through a module map; nothing else.
        .systemLibrary(
            name: "CLibCSV",
            path: "Sources/CLibCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        // libcurl from Debian's libcurl4-openssl-dev (the library FoundationNetworking loads
        // on Linux anyway), reached through a module map and a shim of typed adapters; its
        // headers at build time, the library itself opened when a command first sends.
        .systemLibrary(
            name: "CLibCurl",
            path: "Sources/CLibCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Everything except argument parsing: readers, targets, validation, delivery, report.
        .target(
            name: "BatchInvite",
            dependencies: ["CLibCSV", "CLibCurl"]
        ),
        // The command-line tool: one file per command over the library.
        .executableTarget(
            name: "batch-invite",
            dependencies: ["BatchInvite"]
        ),
        .testTarget(
            name: "BatchInviteTests",
            dependencies: ["BatchInvite"]
        ),
        // Runs the built binary; depends on it so `swift test` builds it first.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["batch-invite"],
            // Servers the tests start and checkers they run (python3 scripts), and fixtures,
            // read from the source tree.
            exclude: ["Servers", "Fixtures", "Checkers"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
