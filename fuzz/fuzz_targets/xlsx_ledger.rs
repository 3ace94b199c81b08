#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    duban_fuzz::with_file(data, |path| {
        let opts = duban_office::ReadOptions {
            fallback_year: 2025,
            ..Default::default()
        };
        if let Err(e) = duban_office::read_ledger(path, &opts, &mut |_, _| {}) {
            duban_fuzz::check(&e);
        }
    });
});
