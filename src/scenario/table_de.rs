//! Reading the raw scenario structs from an already-parsed [`toml::Value`]
//! (a sweep or a staffing search builds its scenarios from a modified
//! table, never from text).
//!
//! toml's own `Value` deserializer cannot fill the [`toml::Spanned`] fields
//! of the schema; [`TableValue`] answers serde_spanned's protocol with an
//! empty span instead. A table has no text, so the validator reports no line
//! for it, only the dotted key.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use serde_spanned::de::{SpannedDeserializer, is_spanned};
use toml::Value;

/// A TOML value being deserialized; `Spanned` fields get the span `0..0`.
pub struct TableValue(pub Value);

type Error = toml::de::Error;

impl<'de> de::Deserializer<'de> for TableValue {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            Value::Integer(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::Boolean(b) => visitor.visit_bool(b),
            Value::Datetime(d) => visitor.visit_string(d.to_string()),
            Value::Array(a) => {
                let mut seq = SeqDeserializer::new(a.into_iter().map(TableValue));
                let v = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(v)
            }
            Value::Table(t) => {
                let mut map = MapDeserializer::new(t.into_iter().map(|(k, v)| (k, TableValue(v))));
                let v = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(v)
            }
        }
    }

    // A present value is `Some`; absent keys never reach a deserializer.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if is_spanned(name) {
            visitor.visit_map(SpannedDeserializer::new(self, 0..0))
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            other => other.deserialize_enum(name, variants, visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
        ignored_any
    }
}

impl IntoDeserializer<'_, Error> for TableValue {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use toml::Spanned;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct S {
        a: Spanned<f64>,
        b: Option<Spanned<Vec<String>>>,
        c: Option<crate::scenario::Channel>,
    }

    #[test]
    fn spanned_fields_read_from_a_table() {
        let t: toml::Table = toml::from_str("a = 2\nb = [\"x\"]\nc = \"messaging\"\n").unwrap();
        let s = S::deserialize(TableValue(Value::Table(t))).unwrap();
        assert_eq!(*s.a.get_ref(), 2.0);
        assert_eq!(s.b.unwrap().into_inner(), vec!["x".to_string()]);
        assert_eq!(s.c, Some(crate::scenario::Channel::Messaging));
        let t: toml::Table = toml::from_str("a = 2\nc = \"fax\"\n").unwrap();
        let e = S::deserialize(TableValue(Value::Table(t))).err().unwrap();
        assert!(e.message().contains("unknown variant `fax`"), "{e}");
    }
}
