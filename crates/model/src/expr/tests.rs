use super::*;
use crate::flow::literal;

fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
}

fn eval_with(source: &str, variables: &BTreeMap<String, String>) -> Result<Value, EvalError> {
    evaluate(&Expression::from(Value::String(source.to_string())), variables)
}

/// Table-driven: each case is (field text, expected value) over one fixed set of participant data.
#[test]
fn evaluates_the_language() {
    let variables = data(&[
        ("Call.Attempts", "3"),
        ("Region", "eu"),
        ("Name", "Ada"),
        ("Vip", "true"),
        ("Score", "9.5"),
        ("Empty", ""),
        ("Ten", "10"),
        ("Nine", "9"),
    ]);
    let cases: Vec<(&str, Value)> = vec![
        ("=Call.Attempts >= 3", Value::Boolean(true)),
        ("=Call.Attempts == 3", Value::Boolean(true)),
        ("=Call.Attempts + 1", Value::Integer(4)),
        ("=Call.Attempts * 2 - 1", Value::Integer(5)),
        ("=1 + 2 * 3", Value::Integer(7)),
        ("=(1 + 2) * 3", Value::Integer(9)),
        ("=10 - 4 - 3", Value::Integer(3)),
        ("=7 / 2", Value::Decimal(3.5)),
        ("=8 / 2", Value::Integer(4)),
        ("=-Call.Attempts", Value::Integer(-3)),
        ("=Score > 9", Value::Boolean(true)),
        ("=Score + 0.5", Value::Decimal(10.0)),
        ("=Ten > Nine", Value::Boolean(true)),
        ("=Region == 'eu' && Call.Attempts < 5", Value::Boolean(true)),
        ("=Region == \"us\" || !Vip", Value::Boolean(false)),
        ("=Vip == true", Value::Boolean(true)),
        ("=Name != 'Ada'", Value::Boolean(false)),
        ("=Name + '-' + Region", Value::String("Ada-eu".into())),
        ("=len(Name)", Value::Integer(3)),
        ("=upper(Region)", Value::String("EU".into())),
        ("=lower('MiXed')", Value::String("mixed".into())),
        ("=contains(Name, 'd')", Value::Boolean(true)),
        ("=coalesce(Missing, 'fallback')", Value::String("fallback".into())),
        ("=coalesce(Empty, 'fallback')", Value::String("fallback".into())),
        ("=coalesce(Name, 'fallback')", Value::String("Ada".into())),
        ("='it\\'s'", Value::String("it's".into())),
        // `||` short-circuits, so the unset variable on its right is never read.
        ("=true || Missing == 1", Value::Boolean(true)),
        ("Main_IVR_Blue", Value::String("Main_IVR_Blue".into())),
        ("Region == 'eu'", Value::String("Region == 'eu'".into())),
    ];
    for (source, expected) in cases {
        assert_eq!(eval_with(source, &variables), Ok(expected), "evaluating {source}");
    }
}

#[test]
fn non_string_values_are_literals() {
    let empty = data(&[]);
    assert_eq!(evaluate(&Expression::from(Value::Integer(42)), &empty), Ok(Value::Integer(42)));
    assert_eq!(evaluate(&Expression::from(Value::Boolean(true)), &empty), Ok(Value::Boolean(true)));
    assert_eq!(evaluate(&literal("x"), &empty), Ok(Value::String("x".into())));
}

#[test]
fn undefined_variable_is_an_error_naming_it() {
    let error = eval_with("=Missing == 1 && true", &data(&[])).expect_err("must fail");
    assert_eq!(error, EvalError::UndefinedVariable { name: "Missing".into() });
    assert_eq!(error.to_string(), "variable `Missing` is not set");
}

#[test]
fn runtime_errors() {
    let variables = data(&[("Name", "Ada")]);
    assert_eq!(eval_with("=1 / 0", &variables), Err(EvalError::DivisionByZero));
    assert_eq!(eval_with("=9223372036854775807 + 1", &variables), Err(EvalError::Overflow));
    assert!(matches!(eval_with("=Name - 1", &variables), Err(EvalError::Type { .. })));
    assert!(matches!(eval_with("=Name < 3", &variables), Err(EvalError::Type { .. })));
    assert!(matches!(eval_with("=Name && true", &variables), Err(EvalError::Type { .. })));
    // Unequal types compare unequal rather than failing.
    assert_eq!(eval_with("=Name == 3", &variables), Ok(Value::Boolean(false)));
}

#[test]
fn parse_errors_carry_the_column() {
    // Columns count the `=` as column 1.
    let cases = [
        ("=1 +", 5, "expected a value"),
        ("=(1 + 2", 8, "expected `)`"),
        ("=a = b", 4, "single `=`"),
        ("='open", 2, "unterminated"),
        ("=foo(1)", 2, "unknown function `foo`"),
        ("=len(1, 2)", 2, "takes 1 argument"),
        ("=1 2", 4, "unexpected `2`"),
        ("=a # b", 4, "unexpected character `#`"),
    ];
    for (source, column, fragment) in cases {
        let Err(EvalError::Parse(error)) = eval_with(source, &data(&[])) else {
            panic!("{source} should not parse");
        };
        assert_eq!(error.column, column, "column of {source}: {error}");
        assert!(error.message.contains(fragment), "{source}: {error}");
    }
}

#[test]
fn referenced_variables_are_sorted_and_unique() {
    let expression = Expression::formula("coalesce(B.x, A) == A && len(C_1) > 0");
    assert_eq!(referenced_variables(&expression), vec!["A", "B.x", "C_1"]);
    assert!(referenced_variables(&literal("A == B")).is_empty());
    assert!(referenced_variables(&Expression::formula("A ==")).is_empty());
}

#[test]
fn typed_variables_map_works() {
    let mut variables: BTreeMap<String, Value> = BTreeMap::new();
    variables.insert("Weight".into(), Value::Decimal(2.5));
    let compiled = compile(&Expression::formula("Weight * 2")).expect("parses");
    assert_eq!(compiled.evaluate(&variables), Ok(Value::Decimal(5.0)));
}

// ---- Architect's language: one helper, tables of (expression, expected) ----

/// The participant data every Archy case below reads.
fn archy_data() -> BTreeMap<String, String> {
    data(&[
        ("Name", "Ada"),
        ("Call.Ani", "tel:+13175551234"),
        ("Flow.list", r#"["a","b","c"]"#),
        ("Flow.i", "1"),
        ("Flow.Count", "3"),
        ("Flow.empty", ""),
        ("Flow.when", "2026-11-29T01:00:00.000Z"),
        ("Task.Result", r#"{"Field":"x","n":3}"#),
        ("Task.EWT", "PT1H5M30S"),
    ])
}

/// Evaluates `source` (without `=`) at 2026-11-29T04:00:00Z with a random source seeded 7, and shows
/// the result as `type:attribute string` or `error:message`, so one table covers every kind of value.
fn show(source: &str, variables: &BTreeMap<String, String>) -> String {
    let compiled = match compile(&Expression::formula(source)) {
        Ok(compiled) => compiled,
        Err(error) => return format!("parse error: {error}"),
    };
    let now = chrono::DateTime::from_timestamp(1_795_924_800, 0).unwrap_or_else(fixed_now);
    let mut random = SeededRandom::new(7);
    match compiled.evaluate_value(variables, &mut EvalContext::new(now, &mut random)) {
        Ok(value) => format!("{}:{}", value.type_name(), value.to_attribute_string()),
        Err(error) => format!("error:{error}"),
    }
}

fn check_table(cases: &[(&str, &str)]) {
    let variables = archy_data();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(source, expected)| {
            let actual = show(source, &variables);
            (actual != *expected).then(|| format!("{source:?}\n    expected {expected:?}\n    actual   {actual:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn operators() {
    check_table(&[
        ("1 == 1", "boolean:true"),
        ("1 != 2", "boolean:true"),
        ("1 <> 1", "boolean:false"),
        ("2 < 3", "boolean:true"),
        ("3 <= 3", "boolean:true"),
        ("4 > 3", "boolean:true"),
        ("3 >= 4", "boolean:false"),
        ("2 * 3 + 1", "integer:7"),
        ("10 / 4", "decimal:2.5"),
        ("7 % 3", "integer:1"),
        ("7.5 % 2", "decimal:1.5"),
        ("-Flow.Count", "integer:-3"),
        ("- -2", "integer:2"),
        ("Flow.Count * 2 - 1", "integer:5"),
        ("true AND false", "boolean:false"),
        ("true Or false", "boolean:true"),
        ("NOT false", "boolean:true"),
        // `not` binds tighter than `and`.
        ("not true and true", "boolean:false"),
        ("!(1 > 2) && 1 < 2 || false", "boolean:true"),
        ("TRUE == True", "boolean:true"),
        ("FALSE", "boolean:false"),
        ("'a' + \"b\"", "string:ab"),
        ("(1 + 2) * 3", "integer:9"),
    ]);
}

#[test]
fn not_set_semantics() {
    check_table(&[
        ("NOT_SET", "NOT_SET:"),
        ("not_set == Not_Set", "boolean:true"),
        ("Flow.missing == NOT_SET", "boolean:true"),
        ("Name != NOT_SET", "boolean:true"),
        ("IsSet(Flow.missing)", "boolean:false"),
        ("isset(Name)", "boolean:true"),
        ("IsNotSet(Flow.missing)", "boolean:true"),
        ("IsNotSet(Name)", "boolean:false"),
        ("IsNotSetOrEmpty(Flow.empty)", "boolean:true"),
        ("IsNotSetOrEmpty(Flow.missing)", "boolean:true"),
        ("IsNotSetOrEmpty(Name)", "boolean:false"),
        ("IsNotSetOrEmpty(MakeList())", "boolean:true"),
        ("If(IsSet(Flow.missing), Flow.missing, \"default\")", "string:default"),
        ("coalesce(Flow.missing, 'd')", "string:d"),
        ("ToDisplayString(Flow.missing)", "string:"),
        ("Append(\"a\", Flow.missing, \"b\")", "string:ab"),
        ("Count(Flow.missing)", "integer:0"),
        ("ToScheduleGroup(NOT_SET)", "NOT_SET:"),
        ("Flow.missing.x[2]", "NOT_SET:"),
        ("AreEqual(NOT_SET, Flow.missing)", "boolean:true"),
        // Using NOT_SET as a value is the error naming the variable.
        ("Flow.missing + 1", "error:variable `Flow.missing` is not set"),
        ("Flow.missing > 1", "error:variable `Flow.missing` is not set"),
        ("Flow.missing == 1", "error:variable `Flow.missing` is not set"),
        ("not Flow.missing", "error:variable `Flow.missing` is not set"),
        ("Flow.missing and true", "error:variable `Flow.missing` is not set"),
        ("ToInt(Flow.missing)", "error:variable `Flow.missing` is not set"),
        ("NOT_SET + 1", "error:variable `NOT_SET` is not set"),
    ]);
}

#[test]
fn text_functions() {
    check_table(&[
        ("ToString(42)", "string:42"),
        ("ToString(Flow.list, \"|\")", "string:a|b|c"),
        ("ToString(true)", "string:true"),
        ("ToInt(\"12\")", "integer:12"),
        ("ToInt(7.9)", "integer:7"),
        ("ToInt(-7.9)", "integer:-7"),
        ("ToDecimal(\"2.5\")", "decimal:2.5"),
        ("ToBool(\"TRUE\")", "boolean:true"),
        ("ToBool(0)", "boolean:false"),
        ("Contains(\"Hello\", \"ell\")", "boolean:true"),
        ("CONTAINS(Name, \"D\")", "boolean:false"),
        ("Contains(Name, \"D\", true)", "boolean:true"),
        ("contains(Name, 'd')", "boolean:true"),
        ("Contains(MakeList(1, 2), 2)", "boolean:true"),
        ("StartsWith(Name, \"A\")", "boolean:true"),
        ("EndsWith(Name, \"x\")", "boolean:false"),
        ("Substring(\"abcdef\", 2, 3)", "string:cde"),
        ("Substring(\"abcdef\", 4, 10)", "string:ef"),
        ("Substring(\"abcdef\", 4)", "string:ef"),
        ("FindString(\"abcdef\", \"cd\")", "integer:2"),
        ("FindString(\"abc\", \"z\")", "integer:-1"),
        ("FindString(\"ABC\", \"b\", true)", "integer:1"),
        ("Replace(Call.Ani, \"tel:\", \"\")", "string:+13175551234"),
        ("Right(Call.Ani, 4)", "string:1234"),
        // A published corpus flow writes both names in lower case.
        ("right(Call.ani, 12)", "string:+13175551234"),
        ("Left(\"abcdef\", 2)", "string:ab"),
        ("Left(\"ab\", 5)", "string:ab"),
        ("Length(\"héllo\")", "integer:5"),
        ("len(Name)", "integer:3"),
        ("Length(MakeList(1, 2, 3))", "integer:3"),
        ("Trim(\"  x \")", "string:x"),
        ("ToUpper(\"ab\")", "string:AB"),
        ("upper(\"ab\")", "string:AB"),
        ("ToLower(\"AB\")", "string:ab"),
        ("lower(\"AB\")", "string:ab"),
        ("Append(\"a\", Name, 1)", "string:aAda1"),
        ("AreEqual(1, \"1\")", "boolean:true"),
        ("Abs(-3)", "integer:3"),
        ("Min(2, 5)", "integer:2"),
        ("Max(2.5, 1)", "decimal:2.5"),
    ]);
}

#[test]
fn collections_members_and_json() {
    check_table(&[
        ("Flow.list[0]", "string:a"),
        ("Flow.list[Flow.i]", "string:b"),
        ("Flow.list.Count", "integer:3"),
        ("Count(Flow.list)", "integer:3"),
        ("FindFirst(Flow.list, \"b\")", "integer:1"),
        ("FindFirst(Flow.list, \"z\")", "integer:-1"),
        ("GetAt(Flow.list, 2)", "string:c"),
        ("MakeList(1, \"b\")", "list:[1,\"b\"]"),
        ("AddItem(Flow.list, \"d\")", "list:[\"a\",\"b\",\"c\",\"d\"]"),
        ("Append(MakeList(1), 2)", "list:[1,2]"),
        ("MakeList(MakeList(1, 2))[0][1]", "integer:2"),
        ("Task.Result.Field", "string:x"),
        ("task.result.n + 1", "integer:4"),
        ("Task.Result.Absent", "NOT_SET:"),
        ("JsonParse(Task.Result).n", "integer:3"),
        ("GetJsonObjectProperty(Task.Result, \"Field\")", "string:x"),
        ("MakeListAgentScorePair(MakeList(\"u1\"), MakeList(100))", "list:[[\"u1\",100]]"),
        ("FindQueueById(\"q1\").id", "string:q1"),
        ("FindQueue(\"Support\").name", "string:Support"),
        ("FindUserById(\"u1\")", "entity:u1"),
        ("FindUser(\"ada@example.com\").name", "string:ada@example.com"),
        ("FindSkill(\"French\") == \"French\"", "boolean:true"),
        ("ToScheduleGroup(\"Open hours\")", "entity:Open hours"),
        ("GetAt(Flow.list, 5)", "error:type error: index 5 is out of range for a list of 3"),
        ("Name[0]", "error:type error: cannot index string \"Ada\""),
    ]);
}

#[test]
fn phone_numbers() {
    check_table(&[
        ("ToPhoneNumber(Call.Ani).e164", "string:+13175551234"),
        ("ToPhoneNumber(Call.Ani).isTel", "boolean:true"),
        ("ToPhoneNumber(Call.Ani).ISSIP", "boolean:false"),
        ("ToPhoneNumber(Call.Ani)", "phone number:tel:+13175551234"),
        ("ToPhoneNumber(\"sip:+4930123456@carrier.example;user=phone\").isSip", "boolean:true"),
        ("ToPhoneNumber(\"sip:+4930123456@carrier.example\").e164", "string:+4930123456"),
        ("ToPhoneNumber(\"sip:alice@example.com\").host", "string:example.com"),
        ("ToPhoneNumber(\"+1 (317) 555-1234\").e164", "string:+13175551234"),
        ("ToPhoneNumber(\"3175551234\").e164", "NOT_SET:"),
        ("ToPhoneNumber(Call.Ani) == \"+13175551234\"", "boolean:true"),
        ("ToPhoneNumber(Flow.missing)", "NOT_SET:"),
    ]);
}

#[test]
fn dates_and_durations() {
    check_table(&[
        ("GetCurrentDateTimeUtc()", "datetime:2026-11-29T04:00:00.000Z"),
        ("ToString(GetCurrentDateTimeUtc())", "string:2026-11-29T04:00:00.000Z"),
        ("AddHours(GetCurrentDateTimeUtc(), -3)", "datetime:2026-11-29T01:00:00.000Z"),
        ("AddMinutes(Flow.when, 30)", "datetime:2026-11-29T01:30:00.000Z"),
        ("AddDays(Flow.when, 1)", "datetime:2026-11-30T01:00:00.000Z"),
        ("AddSeconds(Flow.when, 1.5)", "datetime:2026-11-29T01:00:01.500Z"),
        ("ToDateTime(\"2026-01-02T03:04:05Z\")", "datetime:2026-01-02T03:04:05.000Z"),
        ("DateTimeDiff(GetCurrentDateTimeUtc(), Flow.when)", "duration:PT3H"),
        ("DateTimeDiff(Flow.when, GetCurrentDateTimeUtc())", "duration:-PT3H"),
        ("MakeDuration(0, 1, 5, 30)", "duration:PT1H5M30S"),
        ("MakeDuration(2, 0, 0, 0, 500)", "duration:P2DT0.5S"),
        ("MakeDuration(0, 0, 0, 0)", "duration:PT0S"),
        ("MakeDuration(0, 1, 5, 30) == Task.EWT", "boolean:true"),
        ("DateTimeDiff(GetCurrentDateTimeUtc(), ToDateTime(Flow.when)) >= MakeDuration(0, 2, 0, 0)", "boolean:true"),
        ("GetCurrentDateTimeUtc() > Flow.when", "boolean:true"),
        ("Flow.when + MakeDuration(1, 0, 0, 0)", "datetime:2026-11-30T01:00:00.000Z"),
        ("GetCurrentDateTimeUtc() - Flow.when", "duration:PT3H"),
        ("MakeDuration(0, 0, 1, 0) * 2 + MakeDuration(0, 0, 0, 1)", "duration:PT2M1S"),
    ]);
}

#[test]
fn audio_and_communication_stand_ins() {
    check_table(&[
        ("ToAudioTTS(\"Hi\")", "audio:Hi"),
        ("ToAudioBlank(100)", "audio:"),
        ("Append(ToAudioBlank(500), ToAudioTTS(\"Press 1\"), \"or 2\")", "audio:Press 1 or 2"),
        ("ToAudioDuration(MakeDuration(0, 0, 1, 30))", "audio:PT1M30S"),
        ("AudioPlaybackOptions(ToAudioTTS(\"Hello\"), true)", "audio:Hello"),
        ("MakeCommunication(\"Hi \", Name)", "string:Hi Ada"),
        ("ToCommunication(Name, Format.String.playChars)", "string:Ada"),
        ("ResolveSlot(Name)", "string:Ada"),
        ("ToDisplayString(Name)", "string:Ada"),
    ]);
    let compiled = compile(&Expression::formula(
        "AudioPlaybackOptions(Append(ToAudioBlank(500), ToAudioTTS(\"Press 1\")), true)",
    ))
    .expect("parses");
    let mut random = SeededRandom::new(0);
    let value = compiled.evaluate_value(&archy_data(), &mut EvalContext::new(fixed_now(), &mut random));
    let Ok(ExprValue::Audio(audio)) = value else { panic!("expected audio, got {value:?}") };
    assert_eq!(audio.parts, vec![AudioPart::Silence { ms: 500 }, AudioPart::Tts("Press 1".into())]);
    assert_eq!(audio.barge_in, Some(true));
    assert_eq!(audio.silence_ms(), 500);
}

#[test]
fn literals_escapes_and_layout() {
    check_table(&[
        ("'it\\'s'", "string:it's"),
        ("\"say \\\"hi\\\"\"", "string:say \"hi\""),
        ("\"a\\\\b\"", "string:a\\b"),
        ("\"line\\nbreak\\ttab\"", "string:line\nbreak\ttab"),
        ("12.50", "decimal:12.5"),
        // Multi-line with CRLF and tabs, as exported files write them.
        ("If(\r\n\tIsSet(Name),\r\n\tName,\r\n\t\"x\"\r\n)", "string:Ada"),
        ("\n  Flow.Count\n  +\n  1\n", "integer:4"),
    ]);
}

#[test]
fn random_comes_from_the_context() {
    let compiled = compile(&Expression::formula("Random(1, 6)")).expect("parses");
    let roll = |seed: u64| {
        let mut random = SeededRandom::new(seed);
        let mut context = EvalContext::new(fixed_now(), &mut random);
        (0..50)
            .map(|_| match compiled.evaluate_value(&archy_data(), &mut context) {
                Ok(ExprValue::Integer(value)) => value,
                other => panic!("Random gave {other:?}"),
            })
            .collect::<Vec<i64>>()
    };
    let first = roll(42);
    assert_eq!(first, roll(42), "the same seed gives the same draws");
    assert_ne!(first, roll(43), "another seed gives other draws");
    assert!(first.iter().all(|value| (1..=6).contains(value)), "{first:?}");
    assert!((1..=6).all(|face| first.contains(&face)), "every face appears in 50 rolls: {first:?}");
    // A caller's own generator plugs in as a closure.
    let mut counter = 0u64;
    let mut source = || {
        counter += 1;
        counter
    };
    let mut context = EvalContext::new(fixed_now(), &mut source);
    let value = compile(&Expression::formula("Random(9)")).expect("parses").evaluate_value(&archy_data(), &mut context);
    assert_eq!(value, Ok(ExprValue::Integer(1)));
    assert_eq!(show("Random(5, 1)", &archy_data()), "error:type error: Random's range 5..1 is empty");
}

#[test]
fn flow_values_render_by_the_attribute_rule() {
    let variables = archy_data();
    let flow_value = |source: &str| compile(&Expression::formula(source)).expect("parses").evaluate(&variables);
    assert_eq!(flow_value("MakeList(1, 2)"), Ok(Value::String("[1,2]".into())));
    assert_eq!(flow_value("MakeDuration(0, 0, 5, 0)"), Ok(Value::String("PT5M".into())));
    assert_eq!(flow_value("ToInt(\"3\")"), Ok(Value::Integer(3)));
    // NOT_SET has no flow-format value: the error names the unset variable, as before Archy support.
    assert_eq!(flow_value("Flow.missing"), Err(EvalError::UndefinedVariable { name: "Flow.missing".into() }));
    // A list written to an attribute reads back as a list.
    let mut written = archy_data();
    written.insert("Flow.copy".into(), flow_value("AddItem(Flow.list, \"d\")").expect("evaluates").to_attribute_string());
    assert_eq!(show("GetAt(Flow.copy, 3)", &written), "string:d");
}

#[test]
fn archy_parse_errors_carry_the_column() {
    let cases = [
        ("=Flow.list[0", 13, "expected `]`"),
        ("=ToPhoneNumber(x).", 19, "expected a member name"),
        ("=IF(1, 2)", 2, "`IF` takes 3 arguments, got 2"),
        ("=MakeDuration(1)", 2, "takes 4 to 5 arguments"),
        ("=a & b", 4, "single `&`"),
        ("=1 <> ", 7, "expected a value"),
        ("=\"open", 2, "unterminated"),
        ("=If(\r\n  x,\r\n  1 +\r\n)", 20, "expected a value"),
        ("=Unknown(1)", 2, "unknown function `Unknown`"),
    ];
    for (source, column, fragment) in cases {
        let Err(EvalError::Parse(error)) = eval_with(source, &data(&[])) else {
            panic!("{source:?} should not parse");
        };
        assert_eq!(error.column, column, "column of {source:?}: {error}");
        assert!(error.message.contains(fragment), "{source:?}: {error}");
    }
}

#[test]
fn referenced_variables_see_through_calls_members_and_indexes() {
    let expression = Expression::formula(
        "If(IsSet(Flow.x), ToPhoneNumber(Call.Ani).e164, Flow.list[Flow.i].name) and ToCommunication(y, Format.Date.shortYear)",
    );
    assert_eq!(referenced_variables(&expression), vec!["Call.Ani", "Flow.i", "Flow.list", "Flow.x", "y"]);
    let prefixes: Vec<&str> = name_and_prefixes("Task.Queue.id").collect();
    assert_eq!(prefixes, vec!["Task.Queue.id", "Task.Queue", "Task"]);
}

#[test]
fn printing_then_parsing_gives_the_same_tree() {
    let sources = [
        "If(IsSet(Flow.x), ToPhoneNumber(Call.Ani).e164, Flow.list[Flow.i])",
        "not a and (b or -c.d) <> NOT_SET",
        "\"q\\\"uote\\n\" + 'x' + 1.0 + 2 % 3",
        "(Flow.x).y",
        "MakeList(MakeList(1, 2))[0][1]",
        "ToCommunication(x, Format.Date.shortYear)",
    ];
    for source in sources {
        let tree = parse(source).expect("parses");
        let printed = tree.to_string();
        assert_eq!(parse(&printed), Ok(tree), "{source} printed as {printed}");
    }
}

#[test]
fn hostile_depth_is_refused_not_overflowed() {
    // Within the length limit (`limits::EXPRESSION_BYTES_MAX`) but far past the depth limit.
    let long_chain = vec!["1"; 3_000].join(" + ");
    let deep_parentheses = format!("{}1{}", "(".repeat(3_000), ")".repeat(3_000));
    let long_members = format!("(x){}", ".a".repeat(3_000));
    let long_index = format!("x{}", "[0]".repeat(3_000));
    for source in [long_chain, deep_parentheses, long_members, long_index] {
        let error = parse(&source).expect_err("too deep");
        assert!(error.message.contains("levels deep"), "{error}");
    }
    // Realistic chains are far below the limit.
    let sum = vec!["1"; 100].join(" + ");
    assert_eq!(show(&sum, &archy_data()), "integer:100");
}

/// Every name in the function catalog is called somewhere in this file's tables.
#[test]
fn every_function_is_exercised() {
    let this_file = include_str!("tests.rs").to_ascii_lowercase();
    let missing: Vec<&str> = Function::names()
        .filter(|name| !this_file.contains(&format!("{}(", name.to_ascii_lowercase())))
        .collect();
    assert!(missing.is_empty(), "functions without a test case: {missing:?}");
}
