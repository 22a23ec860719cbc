//! The summary adds counts and sums over intervals, keeps groups apart and divides only when
//! the denominator is non-zero.

use std::collections::BTreeMap;

use crate::analytics::{AggregateDataContainer, AggregateMetricData, AggregateQueryResponse, StatisticalResponse, StatisticalSummary};

use super::{AggregateSummary, GroupTotals};

fn metric(name: &str, count: u64, sum: Option<f64>) -> AggregateMetricData {
    AggregateMetricData { metric: name.into(), qualifier: None, stats: StatisticalSummary { count: Some(count), sum, ..StatisticalSummary::default() } }
}

fn result(group: &[(&str, &str)], intervals: Vec<Vec<AggregateMetricData>>) -> AggregateDataContainer {
    AggregateDataContainer {
        group: group.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect::<BTreeMap<_, _>>(),
        data: intervals.into_iter().enumerate().map(|(index, metrics)| StatisticalResponse { interval: format!("interval-{index}"), metrics }).collect(),
    }
}

fn response() -> AggregateQueryResponse {
    AggregateQueryResponse {
        results: vec![
            // Two intervals of queue A: 3 + 2 offered, 2 + 1 answered after 1000 + 500 + 1500 ms.
            result(
                &[("queueId", "A")],
                vec![
                    vec![metric("nOffered", 3, None), metric("tAnswered", 2, Some(1500.0)), metric("tAbandon", 1, Some(9000.0)), metric("tHandle", 2, Some(1.0))],
                    vec![metric("nOffered", 2, None), metric("tAnswered", 1, Some(1500.0))],
                ],
            ),
            // Queue B split by another dimension: both halves belong to B.
            result(&[("queueId", "B"), ("mediaType", "voice")], vec![vec![metric("nOffered", 1, None), metric("tAbandon", 1, Some(100.0))]]),
            result(&[("queueId", "B"), ("mediaType", "callback")], vec![vec![metric("nOffered", 1, None), metric("tAbandon", 1, Some(100.0))]]),
            // Calls that never reached a queue.
            result(&[], vec![vec![metric("nOffered", 4, None)]]),
        ],
    }
}

#[test]
fn sums_each_group_over_intervals_and_other_dimensions() {
    let summary = AggregateSummary::from_response(&response(), "queueId");
    let expected: BTreeMap<Option<String>, GroupTotals> = [
        (None, GroupTotals { offered: 4, ..GroupTotals::default() }),
        (Some("A".to_owned()), GroupTotals { offered: 5, answered: 3, abandoned: 1, answer_wait_ms: 3000.0 }),
        (Some("B".to_owned()), GroupTotals { offered: 2, answered: 0, abandoned: 2, answer_wait_ms: 0.0 }),
    ]
    .into_iter()
    .collect();
    assert_eq!(summary.groups, expected);
    assert_eq!(summary.total(), GroupTotals { offered: 11, answered: 3, abandoned: 3, answer_wait_ms: 3000.0 });
}

#[test]
fn rates_and_averages_divide_only_by_non_zero_denominators() {
    let summary = AggregateSummary::from_response(&response(), "queueId");
    let (Some(a), Some(b)) = (summary.group("A"), summary.group("B")) else { panic!("groups A and B: {summary:?}") };
    assert_eq!(a.abandon_rate(), Some(0.2));
    assert_eq!(a.average_speed_of_answer_ms(), Some(1000.0));
    assert_eq!(b.abandon_rate(), Some(1.0));
    assert_eq!(b.average_speed_of_answer_ms(), None, "nothing answered in B");
    assert_eq!(GroupTotals::default().abandon_rate(), None, "nothing offered");
    assert_eq!(summary.group("C"), None);
}

#[test]
fn an_empty_response_has_no_groups() {
    let summary = AggregateSummary::from_response(&AggregateQueryResponse::default(), "queueId");
    assert!(summary.groups.is_empty());
    assert_eq!(summary.total(), GroupTotals::default());
}
