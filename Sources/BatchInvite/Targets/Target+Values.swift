extension Target {
    /// The trimmed text of field `index`, or nil after appending the reason it has none
    /// (`email: missing`, `first_name: expected a string, found a boolean`).
    public func trimmedText(_ values: RowValues, _ index: Int, problems: inout [String])
        -> UnsafeRawBufferPointer?
    {
        switch values[index] {
        case .text(let bytes):
            return FieldRules.trimmed(bytes)
        case .missing:
            problems.append("\(fields[index].name): missing")
            return nil
        case .number(let bytes):
            if fields[index].acceptsNumber { return bytes }
            problems.append(
                "\(fields[index].name): expected a string, found the number \(String(decoding: bytes, as: UTF8.self))"
            )
            return nil
        case .wrongKind(let kind):
            problems.append("\(fields[index].name): expected a string, found \(kind)")
            return nil
        }
    }
}
