//! Plain mode's pickers: a numbered list, answered with a number; anything else cancels.
//! Pure: the chat writes the lines and reads the answer.

/// The list's lines: `1. item`, numbered from 1.
pub fn numbered<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| format!("{}. {}", i + 1, item.as_ref()))
        .collect()
}

/// What to type, said after the list.
pub fn question(n: usize) -> String {
    format!("Type a number from 1 to {n} and press Enter (anything else cancels): ")
}

/// The item `answer` picks (from 0), or `None` to cancel: anything but a number in range.
pub fn choice(answer: &str, n: usize) -> Option<usize> {
    let k: usize = answer.trim().parse().ok()?;
    (1..=n).contains(&k).then(|| k - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_numbered_from_one() {
        assert_eq!(numbered(&["a", "b"]), vec!["1. a", "2. b"]);
    }

    #[test]
    fn a_number_in_range_picks_and_anything_else_cancels() {
        assert_eq!(choice("2", 3), Some(1));
        assert_eq!(choice(" 3 \n", 3), Some(2));
        assert_eq!(choice("0", 3), None);
        assert_eq!(choice("4", 3), None);
        assert_eq!(choice("", 3), None);
        assert_eq!(choice("two", 3), None);
        assert_eq!(choice("-1", 3), None);
    }
}
