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
        // Everything except argument parsing: readers, targets, validation, report.
        .target(
            name: "BatchInvite",
            dependencies: ["CLibCSV"]
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
            dependencies: ["batch-invite"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
