use std::path::{Path, PathBuf};

use super::Repository;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/config")
}

/// A throwaway repository: the manifest, components and flows given as (path, text).
struct TempRepo(PathBuf);

impl TempRepo {
    fn new(name: &str, files: &[(&str, &str)]) -> Self {
        let root = std::env::temp_dir().join(format!("switchboard-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap_or(&root)).expect("temp dir");
            std::fs::write(file, text).expect("temp file");
        }
        Self(root)
    }

    fn errors(&self, environment: &str) -> Vec<String> {
        let outcome = Repository::load(&self.0).and_then(|repository| repository.render(environment));
        match outcome {
            Ok(_) => Vec::new(),
            Err(error) => error.diagnostics.iter().map(ToString::to_string).collect(),
        }
    }
}

impl Drop for TempRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const MANIFEST: &str = "environments:\n  dev:\n    target:\n      emulator: true\norgs:\n  - name: global\n  - name: child\n    parent: global\n    variables:\n      NAME: Child\ngroups:\n  - group: shared\n    org_ids: [global]\n    components: [shared]\n  - group: regions\n    org_ids: [child]\n    components: [regional]\n";

#[test]
fn the_example_renders_every_org_with_layered_variables() {
    let repository = Repository::load(&example()).expect("example loads");
    let desired = repository.render("dev").expect("example renders");
    let names: Vec<(&str, usize)> = desired.orgs.iter().map(|org| (org.org.as_str(), org.stage)).collect();
    assert_eq!(names, vec![("global", 0), ("na-east-1", 1), ("na-east-2", 1), ("eu-central-1", 2)]);
    let eu = desired.org("eu-central-1").expect("eu org");
    let queue = eu.resources.iter().find(|resource| resource.key.kind == "queue").expect("queue");
    assert_eq!(queue.key.name, "EU Central 1 Support");
    // The org's variable wins over the environment's; the group's LANGUAGE applies.
    assert_eq!(queue.body["mediaSettings"]["call"]["alertingTimeoutSeconds"], 30);
    assert_eq!(queue.body["description"], "Support for EU Central 1 (de-de)");
    let table = eu.resources.iter().find(|resource| resource.key.kind == "datatable").expect("table");
    let cross: Vec<String> = table.depends_on.iter().map(|dependency| dependency.reference.to_string()).collect();
    assert_eq!(cross, vec!["global:queue/Global Callbacks", "global:queue/Global Escalations"]);
    assert_eq!(table.depends_on[1].source.file, "components/regional.yaml");
    assert_eq!(table.depends_on[1].source.line, 22);
    assert_eq!(table.depends_on[0].source.line, 25);
    let flow = eu.resources.iter().find(|resource| resource.key.kind == "flow").expect("flow");
    assert_eq!(flow.body["type"], "inboundCall");
    assert!(flow.body["yaml"].as_str().is_some_and(|yaml| yaml.contains("Thank you for calling EU Central 1.")));
    let prod = repository.render("prod").expect("prod renders");
    assert_eq!(prod.org("na-east-1").map(|org| org.target_org.as_str()), Some("acme-na-east-1"));
}

#[test]
fn unknown_keys_are_reported_with_file_and_line() {
    let repo = TempRepo::new(
        "unknown",
        &[
            ("switchboard.yaml", MANIFEST),
            ("components/shared.yaml", "resources:\n  - queue:\n      name: Q\n      colour: blue\n"),
            ("components/regional.yaml", "resources: []\n"),
        ],
    );
    let errors = repo.errors("dev");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("components/shared.yaml:4:"), "{errors:?}");
    assert!(errors[0].contains("colour"), "{errors:?}");
    let manifest = TempRepo::new("unknown-manifest", &[("switchboard.yaml", &MANIFEST.replace("orgs:\n  - name: global", "orgz: 1\norgs:\n  - name: global"))]);
    let errors = manifest.errors("dev");
    assert!(errors[0].starts_with("switchboard.yaml:5:") && errors[0].contains("orgz"), "{errors:?}");
}

#[test]
fn template_errors_name_every_variable_and_line() {
    let repo = TempRepo::new(
        "template",
        &[
            ("switchboard.yaml", MANIFEST),
            ("components/shared.yaml", "resources: []\n"),
            ("components/regional.yaml", "resources:\n  - queue:\n      name: \"{{NAME}} Support\"\n      description: \"{{MISSING}}\"\n  - queue:\n      name: \"{{ also missing }}\"\n"),
        ],
    );
    let errors = repo.errors("dev");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("components/regional.yaml:4:") && errors[0].contains("MISSING"), "{errors:?}");
    assert!(errors[1].starts_with("components/regional.yaml:6:"), "{errors:?}");
}

#[test]
fn bad_references_and_cycles_are_reported_with_file_and_line() {
    let repo = TempRepo::new(
        "references",
        &[
            ("switchboard.yaml", MANIFEST),
            ("components/shared.yaml", "resources:\n  - queue:\n      name: Hub\n      description: $ref{child:queue/Child Support}\n"),
            (
                "components/regional.yaml",
                "resources:\n  - queue:\n      name: \"{{NAME}} Support\"\n      description: $ref{widget/x}\n  - queue:\n      name: A\n      depends_on: [queue/B]\n  - queue:\n      name: B\n      queueFlow: $ref{queue/A}\n",
            ),
        ],
    );
    let errors = repo.errors("dev");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("components/shared.yaml:4:") && errors[0].contains("later stage"), "{errors:?}");
    assert!(errors[1].starts_with("components/regional.yaml:4:") && errors[1].contains("unknown kind `widget`"), "{errors:?}");
    let cyclic = TempRepo::new(
        "cycle",
        &[
            ("switchboard.yaml", MANIFEST),
            ("components/shared.yaml", "resources: []\n"),
            ("components/regional.yaml", "resources:\n  - queue:\n      name: A\n      depends_on: [queue/B]\n  - queue:\n      name: B\n      queueFlow: $ref{queue/A}\n"),
        ],
    );
    let errors = cyclic.errors("dev");
    assert_eq!(errors, vec!["components/regional.yaml:3: dependency cycle: child:queue/A → child:queue/B → child:queue/A".to_string()]);
}

/// Values of the wrong type for their field are refused at load, naming file, line and field,
/// so a plan never carries them to a write (issue 17: they failed mid-apply).
#[test]
fn wrongly_typed_values_are_refused_with_file_line_and_field() {
    let regional = "resources:\n  - datatable:\n      name: Routing\n      columns:\n        priority: integer\n        label: string\n      rows:\n        - key: a\n          priority: 1\n          label: fine\n        - key: b\n          priority: urgent\n        - key: c\n          colour: red\n";
    let shared = "resources:\n  - queue:\n      name: Q\n      mediaSettings:\n        call:\n          alertingTimeoutSeconds: [25, 30]\n";
    let repo = TempRepo::new("types", &[("switchboard.yaml", MANIFEST), ("components/shared.yaml", shared), ("components/regional.yaml", regional)]);
    let errors = repo.errors("dev");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors.iter().any(|error| error.starts_with("components/shared.yaml:6") && error.contains("`alertingTimeoutSeconds` must be an integer")), "{errors:?}");
    assert!(errors.iter().any(|error| error.starts_with("components/regional.yaml:11:") && error.contains("`priority` is an integer column") && error.contains("urgent")), "{errors:?}");
    assert!(errors.iter().any(|error| error.starts_with("components/regional.yaml:13:") && error.contains("`colour` is not a column")), "{errors:?}");
}

#[test]
fn an_unknown_column_type_is_refused_with_its_line() {
    let regional = "resources:\n  - datatable:\n      name: Routing\n      columns:\n        priority: int\n";
    let repo = TempRepo::new("column-type", &[("switchboard.yaml", MANIFEST), ("components/shared.yaml", "resources: []\n"), ("components/regional.yaml", regional)]);
    let errors = repo.errors("dev");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("components/regional.yaml:5:"), "{errors:?}");
    assert!(errors[0].contains("int") && errors[0].contains("integer"), "{errors:?}");
}

#[test]
fn queue_settings_are_typed() {
    let shared = "resources:\n  - queue:\n      name: Q\n      acwSettings:\n        wrapupPrompt: SOMETIMES\n      skillEvaluationMethod: BEST\n";
    let repo = TempRepo::new("queue-types", &[("switchboard.yaml", MANIFEST), ("components/shared.yaml", shared), ("components/regional.yaml", "resources: []\n")]);
    let errors = repo.errors("dev");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("components/shared.yaml:5:") && errors[0].contains("SOMETIMES"), "{errors:?}");
}
