//! Checking posture rules against what connectors emit (`crate::inventory::Emits`): a rule's
//! `source` must be a connector, its `applies_to` kinds that source's kinds, and every kind,
//! permission flag and attribute its `when` names must be one the source (or a join, or owner
//! resolution) can produce. Names are read from the parsed CEL expression, not from its text.

use super::PostureRule;
use crate::inventory::Emits;
use cel::common::ast::{Expr, IdedExpr, LiteralValue, operators};
use std::collections::{BTreeMap, BTreeSet};

/// The fields of an identity as rules see it (`identity.<field>`).
const IDENTITY_FIELDS: &[&str] = &[
    "id",
    "kind",
    "source",
    "name",
    "created_at",
    "last_used_at",
    "labels",
    "owner",
    "permissions",
    "credentials",
    "attributes",
];
const PERMISSION_FIELDS: &[&str] = &["actions", "flags"];

#[derive(Debug, Clone, Default)]
struct Known {
    kinds: BTreeSet<String>,
    flags: BTreeSet<String>,
    attributes: BTreeSet<String>,
}

/// Everything rules may name, per source.
#[derive(Debug, Clone, Default)]
pub struct Contract {
    sources: BTreeMap<String, Known>,
}

impl Contract {
    /// The connectors' tables, plus attributes any identity may gain after collection (joins,
    /// owner resolution) and kinds only known at run time (the detectors' identity kinds, for
    /// `repo`).
    pub fn new<'a>(
        tables: &[Emits],
        added_attributes: &[&str],
        extra_kinds: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Contract {
        let mut sources: BTreeMap<String, Known> = BTreeMap::new();
        for t in tables {
            let k = sources.entry(t.source.to_string()).or_default();
            k.kinds.extend(t.kinds.iter().map(|s| s.to_string()));
            k.flags.extend(t.flags.iter().map(|s| s.to_string()));
            k.attributes.extend(
                t.attributes
                    .iter()
                    .chain(added_attributes)
                    .map(|s| s.to_string()),
            );
        }
        let mut contract = Contract { sources };
        for (source, kind) in extra_kinds {
            contract.add_kinds(source, [kind]);
        }
        contract
    }

    /// Kinds a source emits that only the loaded rule files know (the detectors' kinds).
    pub fn add_kinds<'a>(&mut self, source: &str, kinds: impl IntoIterator<Item = &'a str>) {
        if let Some(k) = self.sources.get_mut(source) {
            k.kinds.extend(kinds.into_iter().map(str::to_string));
        }
    }

    /// The sources rules may name.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// Every way `rule` leaves the contract, as `file:line: rule `id`: …` lines.
    pub fn check(&self, rule: &PostureRule) -> Vec<String> {
        let mut problems = Vec::new();
        let mut say =
            |what: String| problems.push(format!("{}: rule `{}`: {what}", rule.origin, rule.id));
        let Some(known) = self.sources.get(&rule.source) else {
            let all: Vec<&str> = self.sources().collect();
            say(format!(
                "source `{}` is no connector (one of: {})",
                rule.source,
                all.join(", ")
            ));
            return problems;
        };
        for kind in &rule.applies_to {
            if kind != "*" && !known.kinds.contains(kind) {
                say(format!(
                    "applies_to names kind `{kind}`, which source `{}` never emits",
                    rule.source
                ));
            }
        }
        let names = match cel::Env::stdlib().parser().parse(&rule.when) {
            Ok(ast) => names_in(&ast),
            Err(e) => {
                say(format!("`when` is not valid CEL: {e}"));
                return problems;
            }
        };
        for (what, name) in names {
            let (set, label): (&BTreeSet<String>, &str) = match what {
                Name::Kind => (&known.kinds, "kind"),
                Name::Flag => (&known.flags, "permission flag"),
                Name::Attribute => (&known.attributes, "attribute"),
                Name::Field => {
                    say(format!(
                        "`when` reads identity.{name}, which identities do not have"
                    ));
                    continue;
                }
            };
            if !set.contains(&name) {
                say(format!(
                    "`when` names {label} `{name}`, which source `{}` never emits \
                     (declared in src/connectors/emits.rs)",
                    rule.source
                ));
            }
        }
        problems
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Name {
    Kind,
    Flag,
    Attribute,
    /// `identity.x` or `identity.permissions.x` for an `x` the model has no field for.
    Field,
}

/// The kinds, flags, attributes and fields an expression names.
fn names_in(e: &IdedExpr) -> BTreeSet<(Name, String)> {
    let mut out = BTreeSet::new();
    walk(&e.expr, &mut out);
    out
}

fn walk(e: &Expr, out: &mut BTreeSet<(Name, String)>) {
    match e {
        Expr::Select(s) => {
            match path(&s.operand.expr).as_deref() {
                Some(["identity"]) if !IDENTITY_FIELDS.contains(&s.field.as_str()) => {
                    out.insert((Name::Field, s.field.clone()));
                }
                Some(["identity", "permissions"])
                    if !PERMISSION_FIELDS.contains(&s.field.as_str()) =>
                {
                    out.insert((Name::Field, format!("permissions.{}", s.field)));
                }
                Some(["identity", "attributes"]) => {
                    out.insert((Name::Attribute, s.field.clone()));
                }
                _ => {}
            }
            walk(&s.operand.expr, out);
        }
        Expr::Call(c) => {
            let name = c.func_name.as_str();
            if let [a, b] = c.args.as_slice() {
                match name {
                    operators::EQUALS | operators::NOT_EQUALS => {
                        for (x, y) in [(a, b), (b, a)] {
                            if is_path(&x.expr, &["identity", "kind"])
                                && let Some(lit) = string(&y.expr)
                            {
                                out.insert((Name::Kind, lit));
                            }
                        }
                    }
                    operators::IN if is_path(&b.expr, &["identity", "permissions", "flags"]) => {
                        if let Some(lit) = string(&a.expr) {
                            out.insert((Name::Flag, lit));
                        }
                    }
                    operators::INDEX if is_path(&a.expr, &["identity", "attributes"]) => {
                        if let Some(lit) = string(&b.expr) {
                            out.insert((Name::Attribute, lit));
                        }
                    }
                    _ => {}
                }
            }
            if let Some(t) = &c.target {
                walk(&t.expr, out);
            }
            for a in &c.args {
                walk(&a.expr, out);
            }
        }
        Expr::Comprehension(c) => {
            // `identity.permissions.flags.exists(f, f == "x" || …)`: the literals the loop
            // variable is compared with are flags.
            if is_path(&c.iter_range.expr, &["identity", "permissions", "flags"]) {
                compared_with(&c.loop_step.expr, &c.iter_var, out);
            }
            for part in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                walk(&part.expr, out);
            }
        }
        Expr::List(l) => l.elements.iter().for_each(|x| walk(&x.expr, out)),
        Expr::Map(_) | Expr::Struct(_) | Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// String literals compared (`==`, `!=`) with the variable `var` anywhere in `e`, as flags.
fn compared_with(e: &Expr, var: &str, out: &mut BTreeSet<(Name, String)>) {
    match e {
        Expr::Call(c) => {
            if let [a, b] = c.args.as_slice()
                && matches!(
                    c.func_name.as_str(),
                    operators::EQUALS | operators::NOT_EQUALS
                )
            {
                for (x, y) in [(a, b), (b, a)] {
                    if matches!(&x.expr, Expr::Ident(v) if v == var)
                        && let Some(lit) = string(&y.expr)
                    {
                        out.insert((Name::Flag, lit));
                    }
                }
            }
            c.target
                .iter()
                .for_each(|t| compared_with(&t.expr, var, out));
            c.args.iter().for_each(|a| compared_with(&a.expr, var, out));
        }
        Expr::Comprehension(c) => compared_with(&c.loop_step.expr, var, out),
        _ => {}
    }
}

/// `a.b.c` as `["a", "b", "c"]` (not counting presence tests).
fn path(e: &Expr) -> Option<Vec<&str>> {
    match e {
        Expr::Ident(name) => Some(vec![name.as_str()]),
        Expr::Select(s) if !s.test => {
            let mut p = path(&s.operand.expr)?;
            p.push(&s.field);
            Some(p)
        }
        _ => None,
    }
}

fn is_path(e: &Expr, want: &[&str]) -> bool {
    path(e).is_some_and(|p| p == want)
}

fn string(e: &Expr) -> Option<String> {
    match e {
        Expr::Literal(LiteralValue::String(s)) => Some(s.inner().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Name, names_in};

    fn names(when: &str) -> Vec<(Name, String)> {
        let ast = cel::Env::stdlib().parser().parse(when).unwrap();
        names_in(&ast).into_iter().collect()
    }

    #[test]
    fn kinds_flags_attributes_and_unknown_fields_are_read_from_the_expression() {
        let got = names(
            r#"identity.kind == "aws.user" && has(identity.attributes.mfa_active) &&
               identity.permissions.flags.exists(f, f == "admin" || f == "privlege_escalation") &&
               "wildcard" in identity.permissions.flags && identity.attributes["path"] == "/" &&
               identity.lables.x == "y" && identity.permissions.flag == []"#,
        );
        let want = [
            (Name::Kind, "aws.user"),
            (Name::Flag, "admin"),
            (Name::Flag, "privlege_escalation"),
            (Name::Flag, "wildcard"),
            (Name::Attribute, "mfa_active"),
            (Name::Attribute, "path"),
            (Name::Field, "lables"),
            (Name::Field, "permissions.flag"),
        ];
        let mut want: Vec<(Name, String)> = want.iter().map(|(n, s)| (*n, s.to_string())).collect();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn other_variables_compared_in_a_flags_loop_are_not_flags() {
        let got = names(
            r#"identity.credentials.exists(c, c.kind == "password") &&
               identity.attributes.iam_flags.exists(f, f == "admin")"#,
        );
        assert_eq!(got, [(Name::Attribute, "iam_flags".to_string())]);
    }
}
