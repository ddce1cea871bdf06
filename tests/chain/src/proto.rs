//! Just enough protobuf encoding to give module records and message responses the bytes a
//! chain stores and returns (gas depends on their length).

/// A protobuf message under construction. Zero and empty fields are skipped, as proto3 does.
#[derive(Default)]
pub(crate) struct ProtoWriter {
    bytes: Vec<u8>,
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

impl ProtoWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn uint(mut self, field: u32, value: u64) -> Self {
        if value != 0 {
            varint(&mut self.bytes, u64::from(field) << 3);
            varint(&mut self.bytes, value);
        }
        self
    }

    pub fn bytes(mut self, field: u32, value: &[u8]) -> Self {
        if !value.is_empty() {
            varint(&mut self.bytes, (u64::from(field) << 3) | 2);
            varint(&mut self.bytes, value.len() as u64);
            self.bytes.extend_from_slice(value);
        }
        self
    }

    pub fn string(self, field: u32, value: &str) -> Self {
        self.bytes(field, value.as_bytes())
    }

    pub fn message(self, field: u32, value: ProtoWriter) -> Self {
        self.bytes(field, &value.bytes)
    }

    /// `google.protobuf.Any`.
    pub fn any(type_url: &str, value: ProtoWriter) -> Self {
        ProtoWriter::new().string(1, type_url).message(2, value)
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_protobuf() {
        let bytes = ProtoWriter::new()
            .uint(1, 300)
            .string(2, "hi")
            .uint(3, 0)
            .finish();
        assert_eq!(bytes, vec![0x08, 0xac, 0x02, 0x12, 0x02, b'h', b'i']);
    }
}
