//! Text for the hostile-input tests and the `hostile` example: the words the rules look
//! for, drawn in a fixed pseudo-random order.

/// The words the rules look for.
pub const RULE_WORDS: &[&str] = &[
    "市",
    "县",
    "区",
    "各",
    "委",
    "局",
    "办",
    "负责",
    "牵头",
    "配合",
    "要",
    "由",
    "等部门",
    "项目",
    "建设",
    "月底前",
    "9月",
    "×",
    "完成",
    "亿元",
    "每月",
    "一是",
    "的",
    "和",
    "政府",
    "领导",
    "全部开工",
    "确保",
    "年底前",
    "2026年",
    "第三季度",
];

/// About `n` characters of `vocabulary` drawn by a fixed pseudo-random sequence.
pub fn words(n: usize, vocabulary: &[&str]) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = String::new();
    let mut len = 0;
    while len < n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let w = vocabulary[(state % vocabulary.len() as u64) as usize];
        out.push_str(w);
        len += w.chars().count();
    }
    out
}
