//! The stylesheet is whole: every block it opens it closes, so no later rule ends up inside
//! `@media print` (where a phone never sees it).

#[test]
fn every_block_of_the_stylesheet_is_closed() {
    let css = include_str!("../assets/app.css");
    let mut depth = 0i32;
    let mut in_comment = false;
    let chars: Vec<char> = css.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        match (in_comment, c) {
            (false, '/') if chars.get(i + 1) == Some(&'*') => in_comment = true,
            (true, '/') if i > 0 && chars[i - 1] == '*' => in_comment = false,
            (false, '{') => depth += 1,
            (false, '}') => {
                depth -= 1;
                assert!(depth >= 0, "a block closed twice near byte {i}");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "a block left open");
    // The rules after the print block apply on screen.
    let print = css.find("@media print").expect("a print stylesheet");
    let after = &css[print..];
    let end = after.find("\n}\n").expect("the print block ends");
    assert!(
        !after[..end].contains("code.hash"),
        "screen rules are outside @media print"
    );
}
