//! The real Archy corpus through the static check: every call flow (inbound, in-queue, secure)
//! runs through it, and what each triggers is pinned in `EXPECTED` (the record of how the rules
//! meet real flows; docs/review.md summarises it), so a rule that stops firing, or starts firing
//! on a clean flow, fails here. A flow the importer refuses is reported as `unloadable-flow`, as
//! the review would.

use std::collections::BTreeMap;
use std::path::PathBuf;
use switchboard_review::static_checks::{self, FlowText, StaticPolicy};

#[test]
fn the_corpus_call_flows_run_through_the_review() {
    let Some(dir) = switchboard_testkit::archy_corpus() else { return };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .collect();
    paths.sort();
    let mut found_by_flow = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("corpus file");
        let is_call_flow = ["inboundCall:", "inqueueCall:", "secureCall:"].iter().any(|kind| text.trim_start().starts_with(kind));
        if !is_call_flow {
            continue;
        }
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_string();
        // Corpus templates keep placeholders; substitute each with a neutral value first.
        let values = switchboard_model::archy::placeholders(&text).into_iter().map(|name| (name, "x".to_string())).collect();
        let text = switchboard_model::archy::substitute(&text, &name, &values).unwrap_or(text);
        let (loaded, mut findings) = static_checks::load(&[FlowText { origin: name.clone(), text }]);
        let (_, found) = static_checks::run(&loaded, &StaticPolicy::default());
        findings.extend(found);
        let mut codes: Vec<String> = findings.iter().map(|finding| format!("{:?} {}", finding.severity, finding.code)).collect();
        codes.sort();
        codes.dedup();
        let summary = if codes.is_empty() { "clean".to_string() } else { codes.join(", ") };
        println!("{name}: {summary}");
        found_by_flow.insert(name, summary);
    }
    let expected: BTreeMap<String, String> = EXPECTED.iter().map(|(name, codes)| (name.to_string(), codes.to_string())).collect();
    let differences: Vec<String> = expected
        .keys()
        .chain(found_by_flow.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|name| expected.get(*name) != found_by_flow.get(*name))
        .map(|name| format!("{name}: expected {:?}, found {:?}", expected.get(name), found_by_flow.get(name)))
        .collect();
    assert!(differences.is_empty(), "the review's findings on the corpus changed:\n{}", differences.join("\n"));
}

/// What the static check finds in each of the corpus's 20 call flows (severity and code).
const EXPECTED: &[(&str, &str)] = &[
    ("architect-flow-public-api-blueprint__blueprint__files__archy_flow.yaml", "Warning timeout-over-sla"),
    ("automated-callback-blueprint__files__automated-powershell-script__flows__Proactive_callback_offer.yaml", "Warning read-before-set, Warning timeout-over-sla"),
    ("automated-callback-blueprint__files__automated-powershell-script__flows__Trigger_proactive_callback_workflow.yaml", "Warning timeout-over-sla"),
    ("design-architect-flow-data-actions-for-resiliency__blueprint__src__CacheExampleFlow.yaml", "Warning data-action-no-error-path, Warning timeout-over-sla"),
    ("developer-center-blog__source__2023-09-28-answer-call-via-api__ForceDisconnect_v7-0.yaml", "clean"),
    ("dr-fallback-ivr__blueprint__terraform-ivr__DR-Emergency-IVR.yaml", "clean"),
    ("dr-fallback-ivr__blueprint__terraform-warm-ivr__DR-Fallback-Ivr.yaml", "Warning unreachable-block"),
    ("genesys-cloud-call-park__terraform__modules__flows__call-park-agent-inbound-flow__call-park-agent-inbound-flow.yaml", "clean"),
    ("genesys-cloud-call-park__terraform__modules__flows__in-queue-flow-orbit-park-hold__in-queue-orbit-call-park-hold.yaml", "clean"),
    ("genesys-cloud-call-park__terraform__modules__flows__orbit-parked-call-retrieval__orbit-parked-call-retrieval.yaml", "Warning timeout-over-sla, Warning unreachable-block"),
    ("process-participant-attributes-event-triggers-blueprint__blueprint__src__terraform__architect-flows__EventOrchestrator_Flow.yaml", "clean"),
    ("process-participant-attributes-event-triggers-blueprint__blueprint__src__terraform__architect-flows__EventOrchestrator_Secure_Flow.yaml", "Error unloadable-flow"),
    ("set-emergency-group-lambda-blueprint__blueprint__terraform__flows__main_flow.yaml", "Warning timeout-over-sla"),
    ("set-emergency-group-lambda-blueprint__blueprint__terraform__flows__spare_flow.yaml", "clean"),
    ("simple-ivr-deploy-with-cx-as-code-blueprint__blueprint__SimpleFinancialIvr_v2-0.yaml", "clean"),
    ("switch-voice-to-web-messaging__terraform__modules__in-queue-call-flow__Switch_to_Web_Messaging_via_SMS.yaml", "Warning data-action-no-error-path, Warning timeout-over-sla"),
    ("terraform-provider-genesyscloud__examples__resources__genesyscloud_architect_ivr__holiday_flow.yaml", "Warning unreachable-block"),
    ("terraform-provider-genesyscloud__examples__resources__genesyscloud_architect_ivr__openhours_flow.yaml", "clean"),
    ("terraform-provider-genesyscloud__examples__resources__genesyscloud_flow__inboundcall_flow_example.yaml", "clean"),
    ("terraform-provider-genesyscloud__examples__resources__genesyscloud_flow__inqueuecall_default_example.yaml", "clean"),
];
