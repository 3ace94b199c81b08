#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    duban_fuzz::with_file(data, |path| {
        if let Err(e) = duban_office::read_report_sheet(path, None) {
            duban_fuzz::check(&e);
        }
    });
});
