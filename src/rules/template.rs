//! Finding messages: `{field}` placeholders filled from the identity (and its found secret), so a
//! rule's message reads naturally without any Rust per rule.

use crate::inventory::Identity;

/// Fill `{id}`, `{name}`, `{kind}`, `{source}`, `{owner}`, `{detector_name}`, `{redacted}`,
/// `{locations}`, `{attributes.X}` and `{labels.X}`. Unknown placeholders are left as written.
pub fn render(template: &str, identity: &Identity, locations: &str) -> String {
    let found = identity.credentials.iter().find_map(|c| c.found.as_ref());
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let key = &after[..close];
        let value = match key {
            "id" => Some(identity.id.clone()),
            "name" => Some(identity.name.clone()),
            "kind" => Some(identity.kind.clone()),
            "source" => Some(identity.source.clone()),
            "owner" => Some(
                identity
                    .owner
                    .as_ref()
                    .map(|o| o.name.clone())
                    .unwrap_or_else(|| "nobody".into()),
            ),
            "locations" => Some(locations.to_string()),
            "detector_name" => found.map(|f| f.detector_name.clone()),
            "redacted" => found.map(|f| f.redacted.clone()),
            k if k.starts_with("attributes.") => {
                let name = &k["attributes.".len()..];
                identity
                    .attributes
                    .get(name)
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .or_else(|| found.and_then(|f| f.attributes.get(name).cloned()))
            }
            k if k.starts_with("labels.") => identity.labels.get(&k["labels.".len()..]).cloned(),
            _ => None,
        };
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}
