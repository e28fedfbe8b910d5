extension Target {
    /// The trimmed text of field `index`, or nil after appending the reason it has none
    /// (`email: missing`, `first_name: expected a string, found a boolean`).
    public func trimmedText(_ values: RowValues, _ index: Int, problems: inout [String])
        -> UnsafeRawBufferPointer?
    {
        let field = fields[index]
        switch values[index] {
        case .missing:
            problems.append("\(field.name): missing")
            return nil
        case .text(let bytes):
            return FieldRules.trimmed(bytes)
        case .number(let bytes):
            if field.acceptsNumber { return bytes }
            problems.append(
                "\(field.name): expected a string, found the number \(String(decoding: bytes, as: UTF8.self))"
            )
            return nil
        case .wrongKind(let kind):
            problems.append("\(field.name): expected a string, found \(kind)")
            return nil
        }
    }
}
