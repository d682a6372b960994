//! [`Json`], an island prop carried as a JSON string and read with the
//! decoder the server functions' replies use.
//!
//! Leptos reads island props with `serde_json::from_str`; server function
//! replies are read with `serde_json::from_slice`. Each reader compiles its
//! own decoder of every type it reads, so a type that is both a prop and a
//! reply (a page's voices, its photos) would be in the WASM twice. A prop of
//! type `Json<T>` is read by the props' decoder as a plain string, then as
//! bytes by the replies' decoder: one decoder of `T`.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `T` as an island prop, encoded as a JSON string (see the module).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&json)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Json<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = String::deserialize(deserializer)?;
        serde_json::from_slice(json.as_bytes())
            .map(Json)
            .map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prop_reads_back_as_it_was_written() {
        let prop = Json(vec![("a".to_string(), 1_i64), ("\"b\"".to_string(), -2)]);
        let text = serde_json::to_string(&prop).unwrap();
        assert!(text.starts_with('"'), "a JSON string: {text}");
        assert_eq!(
            serde_json::from_str::<Json<Vec<(String, i64)>>>(&text).unwrap(),
            prop
        );
        assert!(serde_json::from_str::<Json<Vec<i64>>>(r#""[1, \"x\"]""#).is_err());
        assert!(
            serde_json::from_str::<Json<Vec<i64>>>("[1]").is_err(),
            "not a string"
        );
    }
}
