/// The tool's version, for `--version` and the User-Agent header.
public enum BatchInviteVersion {
    public static let current = "1.0.0"
}
