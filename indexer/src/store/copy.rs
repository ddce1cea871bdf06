//! Rows in PostgreSQL's COPY text format, sent in one `COPY ... FROM STDIN`: the fastest way to
//! append many rows.

use sqlx::PgConnection;

#[derive(Default)]
pub struct CopyRows {
    buffer: Vec<u8>,
    row_open: bool,
    rows: u64,
}

impl CopyRows {
    /// Appends one field of the current row (`None` is SQL NULL).
    pub fn field(&mut self, value: Option<&str>) -> &mut Self {
        if self.row_open {
            self.buffer.push(b'\t');
        }
        self.row_open = true;
        match value {
            None => self.buffer.extend_from_slice(b"\\N"),
            Some(text) => {
                for byte in text.bytes() {
                    match byte {
                        b'\\' => self.buffer.extend_from_slice(b"\\\\"),
                        b'\t' => self.buffer.extend_from_slice(b"\\t"),
                        b'\n' => self.buffer.extend_from_slice(b"\\n"),
                        b'\r' => self.buffer.extend_from_slice(b"\\r"),
                        _ => self.buffer.push(byte),
                    }
                }
            }
        }
        self
    }

    pub fn end_row(&mut self) {
        self.buffer.push(b'\n');
        self.row_open = false;
        self.rows += 1;
    }

    /// Runs `COPY <target> FROM STDIN` with the rows; `target` is `table (col, ...)`.
    pub async fn send(self, conn: &mut PgConnection, target: &str) -> Result<u64, sqlx::Error> {
        if self.rows == 0 {
            return Ok(0);
        }
        let mut copy = conn
            .copy_in_raw(&format!("COPY {target} FROM STDIN"))
            .await?;
        copy.send(self.buffer).await?;
        copy.finish().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials_and_nulls() {
        let mut rows = CopyRows::default();
        rows.field(Some("a\tb\\c\nd\re"))
            .field(None)
            .field(Some("7"));
        rows.end_row();
        assert_eq!(rows.buffer, b"a\\tb\\\\c\\nd\\re\t\\N\t7\n");
    }
}
