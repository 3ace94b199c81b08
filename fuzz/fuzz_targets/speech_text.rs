#![no_main]

use libfuzzer_sys::fuzz_target;

// The same bytes as a Word document and as plain text.
fuzz_target!(|data: &[u8]| {
    for name in ["讲话.docx", "讲话.txt"] {
        match duban_office::speech_text(data, name) {
            Ok(text) => assert!(!text.trim().is_empty()),
            Err(e) => assert!(e.to_string().contains(name), "{e}"),
        }
    }
});
