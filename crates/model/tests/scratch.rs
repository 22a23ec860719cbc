use switchboard_model::archy;
#[test]
fn show() {
    let file = std::env::var("F").unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let values: std::collections::BTreeMap<String,String> = archy::placeholders(&text).into_iter().map(|n| (n.clone(), format!("dummy_{n}"))).collect();
    let text = archy::substitute(&text, &file, &values).unwrap();
    let flow = archy::import(&text, &file).unwrap();
    let mut f2 = flow.clone(); f2.archy = None;
    println!("{}", serde_saphyr::to_string(&f2).unwrap());
    if std::env::var("E").is_ok() { println!("=====\n{}", archy::export(&flow)); }
    let report = switchboard_model::validate::validate(&flow, &Default::default());
    for d in report { println!("{d}"); }
}
