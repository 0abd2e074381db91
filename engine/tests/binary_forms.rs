//! Every bundled form and the benchmark's generated workloads survive the binary encoding
//! (`engine/src/form/binary.rs`) unchanged: the decoded form's JSON is the original's.

#[path = "../benches/gen/mod.rs"]
mod formgen;

use engine::Form;

fn assert_round_trips(name: &str, src: &str) -> (usize, usize) {
    let form = engine::compile(src).form.unwrap_or_else(|| panic!("{name} compiles"));
    let json = serde_json::to_string(&form).unwrap();
    let bytes = form.to_bytes();
    let back = Form::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(serde_json::to_string(&back).unwrap() == json, "{name}: the decoded form differs from the original");
    // And the decoded form encodes to the same bytes (nothing derived is lost on the way).
    assert!(back.to_bytes() == bytes, "{name}: encoding the decoded form gives other bytes");
    (bytes.len(), json.len())
}

#[test]
fn every_bundled_form_round_trips() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../form-definitions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".yaml") && !name.ends_with(".test.yaml") {
            assert_round_trips(&name, &std::fs::read_to_string(&path).unwrap());
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} bundled forms found in {dir}");
}

#[test]
fn the_generated_workloads_round_trip_and_are_smaller_than_their_json() {
    for fields in [100, 1000] {
        let (bin, json) = assert_round_trips(&format!("{fields} fields"), &formgen::generate_form(fields));
        assert!(bin * 2 < json, "{fields} fields: {bin} bytes binary against {json} bytes JSON");
    }
}
