//! Parsing of the Spin manifest (version 2) subset this host serves.
//!
//! Keys the host has no use for (`[application]` metadata, `[component.X.build]`, other
//! trigger types, …) are ignored, like Spin ignores what its own version does not know.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An application variable declared under `[variables]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct VariableDecl {
    /// The value used when neither an override nor `SPIN_VARIABLE_<NAME>` gives one.
    #[serde(default)]
    pub default: Option<String>,
    /// Startup fails when a required variable ends up without a value.
    #[serde(default)]
    pub required: bool,
    /// Informational: the value is a secret (never printed by the host).
    #[serde(default)]
    pub secret: bool,
}

/// A `[[trigger.http]]` entry with a routable (non-private) route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTrigger {
    /// The route as written in the manifest, e.g. `/api/health` or `/api/...`.
    pub route: String,
    /// The id of the component serving the route.
    pub component: String,
}

/// A `[[trigger.cron]]` entry.
#[derive(Debug, Clone)]
pub struct CronTrigger {
    /// The id of the component run at each tick.
    pub component: String,
    /// The 6-field (`sec min hour dom mon dow`) or 7-field (`… year`) cron expression.
    pub cron_expression: String,
    /// The parsed schedule.
    pub schedule: cron::Schedule,
}

/// A `[component.<id>]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentDecl {
    /// The component id (the table's key).
    pub id: String,
    /// The absolute path of the component's `.wasm` file.
    pub source: PathBuf,
    /// `allowed_outbound_hosts`, as written (may contain `{{ variable }}` templates).
    pub allowed_outbound_hosts: Vec<String>,
    /// `sqlite_databases`: the database labels the component may open.
    pub sqlite_databases: Vec<String>,
    /// `[component.<id>.variables]`: name → template (`"{{ app_var }}"` or a literal).
    pub variables: BTreeMap<String, String>,
}

/// A parsed Spin manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The directory holding the manifest; relative paths resolve against it.
    pub dir: PathBuf,
    /// `[application] name`, if any.
    pub name: Option<String>,
    /// `[variables]`.
    pub variables: BTreeMap<String, VariableDecl>,
    /// The routable HTTP triggers, in manifest order.
    pub http_triggers: Vec<HttpTrigger>,
    /// The cron triggers, in manifest order.
    pub cron_triggers: Vec<CronTrigger>,
    /// The components, by id.
    pub components: BTreeMap<String, ComponentDecl>,
}

#[derive(Deserialize)]
struct RawManifest {
    spin_manifest_version: Option<toml::Value>,
    #[serde(default)]
    application: RawApplication,
    #[serde(default)]
    variables: BTreeMap<String, VariableDecl>,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize, Default)]
struct RawApplication {
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
    #[serde(default)]
    cron: Vec<RawCronTrigger>,
}

#[derive(Deserialize)]
struct RawHttpTrigger {
    route: toml::Value,
    component: toml::Value,
}

#[derive(Deserialize)]
struct RawCronTrigger {
    component: toml::Value,
    cron_expression: String,
}

#[derive(Deserialize)]
struct RawComponent {
    source: toml::Value,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

impl Manifest {
    /// Reads and parses the manifest at `path`.
    pub fn load(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read manifest {}", path.display()))?;
        let path = std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Manifest::parse(&text, &dir).with_context(|| format!("invalid manifest {}", path.display()))
    }

    /// Parses manifest text; relative component sources resolve against `dir`.
    pub fn parse(text: &str, dir: &Path) -> Result<Manifest> {
        let raw: RawManifest = toml::from_str(text)?;
        match raw.spin_manifest_version.as_ref().and_then(toml::Value::as_integer) {
            Some(2) => {}
            other => bail!("spin_manifest_version must be 2 (found {other:?})"),
        }
        for name in raw.variables.keys() {
            check_variable_name(name)?;
        }

        let mut components = BTreeMap::new();
        for (id, c) in raw.component {
            let source = match &c.source {
                toml::Value::String(s) => dir.join(s),
                _ => bail!("component `{id}`: only a local file `source` is supported"),
            };
            for name in c.variables.keys() {
                check_variable_name(name).with_context(|| format!("component `{id}`"))?;
            }
            components.insert(
                id.clone(),
                ComponentDecl {
                    id,
                    source,
                    allowed_outbound_hosts: c.allowed_outbound_hosts,
                    sqlite_databases: c.sqlite_databases,
                    variables: c.variables,
                },
            );
        }

        let component_ref = |v: &toml::Value, what: &str| -> Result<String> {
            let id = v.as_str().with_context(|| format!("{what}: `component` must be a component id string"))?;
            if !components.contains_key(id) {
                bail!("{what}: no component `{id}`");
            }
            Ok(id.to_string())
        };

        let mut http_triggers = Vec::new();
        for t in &raw.trigger.http {
            let route = match &t.route {
                toml::Value::String(s) => s.clone(),
                toml::Value::Table(tb) if tb.get("private").and_then(toml::Value::as_bool) == Some(true) => continue,
                _ => bail!("http trigger: `route` must be a string or `{{ private = true }}`"),
            };
            let component = component_ref(&t.component, &format!("http trigger `{route}`"))?;
            http_triggers.push(HttpTrigger { route, component });
        }

        let mut cron_triggers = Vec::new();
        for t in &raw.trigger.cron {
            let component = component_ref(&t.component, "cron trigger")?;
            let schedule = cron::Schedule::from_str(&t.cron_expression)
                .with_context(|| format!("cron trigger `{component}`: bad cron_expression `{}`", t.cron_expression))?;
            cron_triggers.push(CronTrigger { component, cron_expression: t.cron_expression.clone(), schedule });
        }

        Ok(Manifest {
            dir: dir.to_path_buf(),
            name: raw.application.name,
            variables: raw.variables,
            http_triggers,
            cron_triggers,
            components,
        })
    }

    /// The ids of the components some trigger uses, HTTP ones first, without repeats.
    pub fn triggered_components(&self) -> Vec<&ComponentDecl> {
        let mut ids: Vec<&str> = Vec::new();
        let http = self.http_triggers.iter().map(|t| t.component.as_str());
        let cron = self.cron_triggers.iter().map(|t| t.component.as_str());
        for id in http.chain(cron) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.into_iter().filter_map(|id| self.components.get(id)).collect()
    }
}

/// Checks a Spin variable name: lowercase ASCII letters, digits and single underscores,
/// starting with a letter and not ending with an underscore.
pub fn check_variable_name(name: &str) -> Result<()> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__");
    if !ok {
        bail!("invalid variable name `{name}`: use lowercase letters, digits and single underscores, starting with a letter");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
spin_manifest_version = 2

[application]
name = "demo"
unknown_key = 1

[variables]
auth_secret = { required = true, secret = true }
greeting = { default = "hi" }

[[trigger.http]]
route = "/api/health"
component = "health"

[[trigger.http]]
route = { private = true }
component = "health"

[[trigger.cron]]
component = "timer"
cron_expression = "0 */5 * * * *"

[component.health]
source = "target/health.wasm"
allowed_outbound_hosts = ["http://127.0.0.1:*"]
sqlite_databases = ["default"]
[component.health.variables]
secret = "{{ auth_secret }}"
[component.health.build]
command = "cargo build"

[component.timer]
source = "/abs/timer.wasm"
"#;

    #[test]
    fn a_spin_v2_manifest_parses_with_its_triggers_components_and_variables() {
        let m = Manifest::parse(SAMPLE, Path::new("/app")).unwrap();
        assert_eq!(m.name.as_deref(), Some("demo"));
        assert_eq!(m.http_triggers, vec![HttpTrigger { route: "/api/health".into(), component: "health".into() }]);
        assert_eq!(m.cron_triggers[0].component, "timer");
        let health = &m.components["health"];
        assert_eq!(health.source, Path::new("/app/target/health.wasm"));
        assert_eq!(m.components["timer"].source, Path::new("/abs/timer.wasm"));
        assert_eq!(health.sqlite_databases, vec!["default"]);
        assert_eq!(health.variables["secret"], "{{ auth_secret }}");
        assert!(m.variables["auth_secret"].required);
        assert_eq!(m.variables["greeting"].default.as_deref(), Some("hi"));
        let ids: Vec<_> = m.triggered_components().iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, vec!["health", "timer"]);
    }

    #[test]
    fn a_six_field_cron_expression_is_accepted_and_a_bad_one_rejected() {
        assert!(cron::Schedule::from_str("0 0 1 * * *").is_ok());
        let bad = SAMPLE.replace("0 */5 * * * *", "not a cron");
        assert!(Manifest::parse(&bad, Path::new("/app")).is_err());
    }

    #[test]
    fn a_trigger_naming_an_unknown_component_is_an_error() {
        let bad = SAMPLE.replace("component = \"timer\"", "component = \"nope\"");
        let err = format!("{:#}", Manifest::parse(&bad, Path::new("/app")).unwrap_err());
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn variable_names_follow_spin_rules() {
        assert!(check_variable_name("auth_secret").is_ok());
        assert!(check_variable_name("a1").is_ok());
        for bad in ["Auth", "1a", "a__b", "a_", "a-b", ""] {
            assert!(check_variable_name(bad).is_err(), "{bad}");
        }
    }
}
