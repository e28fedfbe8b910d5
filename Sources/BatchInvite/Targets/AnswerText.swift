/// Turning what an API sent back into report text.
public enum AnswerText {
    /// The first 200 characters of a body, control characters removed, for messages about
    /// answers that were not what the contract promised.
    public static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars where scalar.properties.generalCategory != .control {
            if count == 200 { break }
            result.unicodeScalars.append(scalar)
            count += 1
        }
        return result.isEmpty ? "(empty body)" : result
    }
}
