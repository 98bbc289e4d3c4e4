//! TT_TRACK_DISABLE=1 turns reporting off before the device node is touched.

use tttrack::*;

#[test]
fn disable_variable_turns_reporting_off() {
    std::env::set_var("TT_TRACK_DISABLE", "1");
    assert_eq!(track_alloc(0, 0, MemType::L1, 1, 64), Err(Error::Unavailable(Unavailable::Disabled)));
    assert_eq!(track_free(0, 0, MemType::L1, 1), Err(Error::Unavailable(Unavailable::Disabled)));
    assert!(!is_available());
    assert!(Error::Unavailable(Unavailable::Disabled).to_string().contains("TT_TRACK_DISABLE"));
}
