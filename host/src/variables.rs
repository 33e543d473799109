//! Application variables (`[variables]`), component variables (`[component.X.variables]`)
//! with `{{ name }}` templating, and the `fermyon:spin/variables@2.0.0` host interface.

use crate::bindings::fermyon::spin::variables::{Error, Host};
use crate::manifest::{check_variable_name, VariableDecl};
use crate::state::HostState;
use anyhow::{bail, Result};
use std::collections::{BTreeMap, HashMap};

/// The environment variable Spin reads an application variable from: `SPIN_VARIABLE_<NAME>`.
pub fn env_key(name: &str) -> String {
    format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())
}

/// Resolves the application variables: an `overrides` entry wins, then the environment
/// (`env(SPIN_VARIABLE_<NAME>)`), then the declared default. A `required` variable left
/// without a value is an error naming it; other unset variables are simply absent.
pub fn resolve_app_variables(
    decls: &BTreeMap<String, VariableDecl>,
    overrides: &HashMap<String, String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<HashMap<String, String>> {
    let mut values = HashMap::new();
    let mut missing = Vec::new();
    for (name, decl) in decls {
        let value = overrides.get(name).cloned().or_else(|| env(&env_key(name))).or_else(|| decl.default.clone());
        match value {
            Some(v) => {
                values.insert(name.clone(), v);
            }
            None if decl.required => missing.push(name.as_str()),
            None => {}
        }
    }
    if !missing.is_empty() {
        let hints: Vec<String> = missing.iter().map(|n| format!("`{n}` (set {})", env_key(n))).collect();
        bail!("required application variable(s) have no value: {}", hints.join(", "));
    }
    Ok(values)
}

/// Expands `{{ name }}` references in `template` from the application variables.
pub fn render(template: &str, app: &HashMap<String, String>) -> Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("unterminated `{{{{` in `{template}`");
        };
        let name = after[..end].trim();
        check_variable_name(name)?;
        match app.get(name) {
            Some(v) => out.push_str(v),
            None => {
                bail!("`{template}` refers to application variable `{name}`, which has no value")
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Renders a component's variable templates.
pub fn resolve_component_variables(
    templates: &BTreeMap<String, String>,
    app: &HashMap<String, String>,
) -> Result<HashMap<String, String>> {
    templates.iter().map(|(k, t)| Ok((k.clone(), render(t, app)?))).collect()
}

impl Host for HostState {
    fn get(&mut self, name: String) -> wasmtime::Result<Result<String, Error>> {
        if check_variable_name(&name).is_err() {
            return Ok(Err(Error::InvalidName(name)));
        }
        Ok(self.component.variables.get(&name).cloned().ok_or(Error::Undefined(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls() -> BTreeMap<String, VariableDecl> {
        let mut d = BTreeMap::new();
        d.insert("auth_secret".into(), VariableDecl { required: true, ..Default::default() });
        d.insert("greeting".into(), VariableDecl { default: Some("hello".into()), ..Default::default() });
        d
    }

    #[test]
    fn defaults_apply_and_the_environment_overrides_them() {
        let env = |k: &str| (k == "SPIN_VARIABLE_GREETING").then(|| "from-env".to_string());
        let mut ov = HashMap::new();
        ov.insert("auth_secret".to_string(), "s".to_string());
        let v = resolve_app_variables(&decls(), &ov, env).unwrap();
        assert_eq!(v["greeting"], "from-env");
        let v = resolve_app_variables(&decls(), &ov, |_| None).unwrap();
        assert_eq!(v["greeting"], "hello");
    }

    #[test]
    fn an_override_beats_the_environment() {
        let env = |_: &str| Some("from-env".to_string());
        let mut ov = HashMap::new();
        ov.insert("greeting".to_string(), "from-override".to_string());
        let v = resolve_app_variables(&decls(), &ov, env).unwrap();
        assert_eq!(v["greeting"], "from-override");
        assert_eq!(v["auth_secret"], "from-env");
    }

    #[test]
    fn a_required_variable_without_value_is_an_error_naming_it() {
        let err = resolve_app_variables(&decls(), &HashMap::new(), |_| None).unwrap_err().to_string();
        assert!(err.contains("auth_secret") && err.contains("SPIN_VARIABLE_AUTH_SECRET"), "{err}");
    }

    #[test]
    fn templates_expand_application_variables() {
        let mut app = HashMap::new();
        app.insert("a".to_string(), "1".to_string());
        assert_eq!(render("x-{{ a }}-{{a}}", &app).unwrap(), "x-1-1");
        assert_eq!(render("literal", &app).unwrap(), "literal");
        assert!(render("{{ b }}", &app).is_err());
        assert!(render("{{ a", &app).is_err());
    }
}
