use super::*;

fn org(id: &str, parent: Option<&str>) -> Organization {
    Organization { id: id.into(), name: id.to_uppercase(), parent_id: parent.map(str::to_string), region: "eu".into() }
}

fn ids(orgs: Vec<&Organization>) -> Vec<&str> {
    orgs.into_iter().map(|org| org.id.as_str()).collect()
}

fn sample() -> OrgTree {
    OrgTree::new([
        org("na-east-1", Some("na")),
        org("global", None),
        org("eu", Some("global")),
        org("na", Some("global")),
        org("eu-central-1", Some("eu")),
    ])
    .expect("valid tree")
}

#[test]
fn navigates_the_tree() {
    let tree = sample();
    assert_eq!(ids(tree.children_of("global")), vec!["eu", "na"]);
    assert_eq!(ids(tree.ancestors("na-east-1")), vec!["na", "global"]);
    assert!(tree.ancestors("global").is_empty());
    assert_eq!(ids(tree.visible_from("na")), vec!["na", "na-east-1"]);
    assert_eq!(ids(tree.visible_from("global")).len(), 5);
    assert!(tree.visible_from("nope").is_empty());
}

#[test]
fn topological_order_puts_parents_first() {
    let tree = sample();
    let order = ids(tree.topological_order());
    assert_eq!(order.len(), 5);
    for org in tree.iter() {
        if let Some(parent) = &org.parent_id {
            let position = |id: &str| order.iter().position(|candidate| *candidate == id);
            assert!(position(parent) < position(&org.id), "{parent} before {}", org.id);
        }
    }
}

#[test]
fn rejects_bad_trees() {
    assert_eq!(OrgTree::new([org("a", None), org("a", None)]), Err(OrgTreeError::DuplicateId("a".into())));
    assert!(matches!(OrgTree::new([org("a", Some("x"))]), Err(OrgTreeError::UnknownParent { .. })));
    assert_eq!(
        OrgTree::new([org("root", None), org("a", Some("b")), org("b", Some("a"))]),
        Err(OrgTreeError::Cycle(vec!["a".into(), "b".into()]))
    );
}
