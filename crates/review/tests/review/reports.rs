//! The report formats: the JUnit XML of a review with errors, warnings, a skipped and a failed
//! check validates against the JUnit XSD (with the `xmlschema` Python package); the JSON keeps its
//! documented field names; exit codes follow the outcome.

use std::process::Command;
use switchboard_review::report;
use switchboard_review::{Check, CheckRun, CheckStatus, Finding, Outcome, Review, Severity};

pub fn sample_review(could_not_run: bool) -> Review {
    let finding = |check, code: &str, severity, subject: &str| Finding {
        check,
        code: code.to_string(),
        severity,
        subject: subject.to_string(),
        message: format!("{code} <with> \"markup\" & ampersand"),
        evidence: vec!["flows/main.yaml:12: block `crm`".to_string(), "attempt 2: 503 after 12 ms".to_string()],
    };
    let checks = vec![
        CheckRun { check: Check::StaticValidation, status: CheckStatus::Ran, subjects: vec!["flow:Main".into(), "flow:Other".into()], duration_ms: 3 },
        CheckRun {
            check: Check::SessionHygiene,
            status: CheckStatus::NotApplicable("a real org has no session terminate call".into()),
            subjects: vec![],
            duration_ms: 0,
        },
        CheckRun {
            check: Check::QuotaHeadroom,
            status: if could_not_run { CheckStatus::CouldNotRun("GET /api/v2/license/organization: 503".into()) } else { CheckStatus::Ran },
            subjects: vec!["license:cloudCX3".into()],
            duration_ms: 1_234,
        },
    ];
    let findings = vec![
        finding(Check::StaticValidation, "retry-unbounded", Severity::Error, "flow:Main"),
        finding(Check::StaticValidation, "timeout-over-sla", Severity::Warning, "flow:Main"),
        finding(Check::StaticValidation, "unreachable-block", Severity::Warning, "flow:Other"),
    ];
    Review::new("sandbox", "2026-11-29T07:00:00Z".into(), 1_240, checks, findings)
}

fn python() -> String {
    std::env::var("SWITCHBOARD_PYTHON").unwrap_or_else(|_| {
        let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
        if venv.exists() { venv.display().to_string() } else { "python3".to_string() }
    })
}

#[test]
fn junit_validates_against_the_xsd() {
    let python = python();
    let available = Command::new(&python).args(["-c", "import xmlschema"]).output().is_ok_and(|output| output.status.success());
    if !available {
        // `cargo xtask test` installs xmlschema into .venv; say so rather than pass silently.
        println!("skipped: xmlschema is not installed for {python} (cargo xtask test installs it)");
        return;
    }
    let directory = std::env::temp_dir().join(format!("switchboard-review-junit-{}", std::process::id()));
    for review in [sample_review(false), sample_review(true)] {
        let written = report::write_all(&review, &directory).expect("writes reports");
        assert_eq!(written.len(), 3);
        let junit = directory.join(report::JUNIT_FILE);
        let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit.xsd");
        let output = Command::new(&python)
            .args(["-c", "import sys, xmlschema; xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2]); print('valid')"])
            .arg(&schema)
            .arg(&junit)
            .output()
            .expect("runs python");
        assert!(
            output.status.success(),
            "junit.xml does not validate: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(&junit).unwrap_or_default()
        );
        // A schema that accepted anything would prove nothing: a broken document must fail.
        let broken = directory.join("broken.xml");
        std::fs::write(&broken, "<testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>").expect("writes");
        let rejected = Command::new(&python)
            .args(["-c", "import sys, xmlschema; xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])"])
            .arg(&schema)
            .arg(&broken)
            .output()
            .expect("runs python");
        assert!(!rejected.status.success(), "the XSD must reject a testcase without a name and a suite without counts");
    }
    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn junit_has_one_case_per_check_and_subject_and_fails_on_errors() {
    let xml = report::junit_xml(&sample_review(false));
    assert_eq!(xml.matches("<testcase ").count(), 4, "2 flows + 1 skipped check + 1 licence:\n{xml}");
    assert!(xml.contains("<failure type=\"retry-unbounded\""));
    assert!(xml.contains("&lt;with&gt; &quot;markup&quot; &amp; ampersand"));
    assert!(xml.contains("<skipped message=\"a real org has no session terminate call\"/>"));
    assert!(xml.contains("warning[unreachable-block]"));
    assert!(xml.contains("<testsuite name=\"static_validation\" tests=\"2\" failures=\"1\" errors=\"0\""));
    let failed = report::junit_xml(&sample_review(true));
    assert!(failed.contains("<error type=\"could-not-run\""));
}

#[test]
fn json_schema_fields_and_outcomes() {
    let review = sample_review(false);
    assert_eq!(review.outcome, Outcome::Fail);
    assert_eq!(review.outcome.exit_code(), 1);
    let json: serde_json::Value = serde_json::from_str(&report::json(&review)).expect("json");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["outcome"], "fail");
    let finding = &json["findings"][0];
    for field in ["check", "code", "severity", "subject", "message", "evidence"] {
        assert!(finding.get(field).is_some(), "finding lacks {field}: {finding}");
    }
    assert_eq!(finding["check"], "static_validation");
    assert_eq!(json["checks"][1]["status"], "not_applicable");
    assert_eq!(json["checks"][1]["reason"], "a real org has no session terminate call");
    assert_eq!(sample_review(true).outcome.exit_code(), 2);
    let passing = Review::new("prod", "t".into(), 0, vec![], vec![]);
    assert_eq!(passing.outcome.exit_code(), 0);
    let markdown = report::markdown(&review);
    assert!(markdown.contains("❌ failed") && markdown.contains("`retry-unbounded`"), "{markdown}");
    let table = report::table(&review);
    assert!(table.contains("review of `sandbox`: FAIL (1 errors, 2 warnings)"), "{table}");
}
