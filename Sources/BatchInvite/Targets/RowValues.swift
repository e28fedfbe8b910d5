/// The values of one row, by field index of the target: each a view of bytes valid only
/// during the call that received it.
public struct RowValues {
    private let values: UnsafeBufferPointer<FieldValue>

    /// Values held in `values`, which must outlive this view.
    public init(_ values: UnsafeBufferPointer<FieldValue>) {
        self.values = values
    }

    public subscript(field: Int) -> FieldValue { values[field] }
}

/// One field's value as it came from the input.
public enum FieldValue {
    /// No such column or key.
    case missing
    /// Text (a CSV cell, a JSON string, or a default), untrimmed.
    case text(UnsafeRawBufferPointer)
    /// A JSON number, as written.
    case number(UnsafeRawBufferPointer)
    /// A JSON value of another kind (`a boolean`, `an array`, ...).
    case wrongKind(JSONKind)
}
