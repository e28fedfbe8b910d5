extension Target {
    /// Why `value` would not do in field `index` of a row (other fields aside): each
    /// reason without the field's name, none when it would.
    public func problems(of value: String, inField index: Int) -> [String] {
        var bytes = Array(value.utf8)
        return bytes.withUnsafeMutableBytes { buffer in
            var values = [FieldValue](repeating: .missing, count: fields.count)
            values[index] = .text(UnsafeRawBufferPointer(buffer))
            var key = RowKey()
            var problems = RowProblems()
            values.withUnsafeBufferPointer {
                validate(RowValues($0), key: &key, problems: &problems)
            }
            let prefix = fields[index].name + ": "
            return problems.reasons.filter { $0.hasPrefix(prefix) }.map {
                String($0.dropFirst(prefix.count))
            }
        }
    }

    /// The trimmed text of field `index`, or nil after adding the reason it has none
    /// (`email: missing`, `first_name: expected a string, found a boolean`).
    public func trimmedText(_ values: RowValues, _ index: Int, problems: inout RowProblems)
        -> UnsafeRawBufferPointer?
    {
        switch values[index] {
        case .text(let bytes):
            return FieldRules.trimmed(bytes)
        case .missing:
            problems.add(fields[index].name, "missing")
            return nil
        case .number(let bytes):
            if fields[index].acceptsNumber { return bytes }
            problems.begin(fields[index].name)
            problems.append("expected a string, found the number ")
            problems.append(String(decoding: bytes, as: UTF8.self))
            return nil
        case .wrongKind(let kind):
            problems.begin(fields[index].name)
            problems.append("expected a string, found \(kind)")
            return nil
        }
    }
}
