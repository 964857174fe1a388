//! Where things go on the screen: one pure function from the terminal size to areas, so
//! the event loop (for scrolling by a page) and the views agree.

use ratatui::layout::{Constraint, Layout, Rect};

pub struct Areas {
    pub tabs: Rect,
    pub body: Rect,
    pub status: Rect,
}

pub fn areas(area: Rect) -> Areas {
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas { tabs, body, status }
}

/// The chat pane: the conversation above, the composer below (it grows with its text, up
/// to a third of the pane).
pub fn chat(body: Rect, composer_lines: usize) -> (Rect, Rect) {
    let max = (body.height / 3).max(3);
    let wanted = u16::try_from(composer_lines)
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let h = wanted.clamp(3, max);
    let [conversation, composer] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(h)]).areas(body);
    (conversation, composer)
}

/// A centred box of at most `w` × `h`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_split_the_screen() {
        let a = areas(Rect::new(0, 0, 80, 24));
        assert_eq!((a.tabs.height, a.body.height, a.status.height), (1, 22, 1));
        assert_eq!(a.status.y, 23);
    }

    #[test]
    fn composer_grows_but_not_past_a_third() {
        let body = Rect::new(0, 1, 80, 30);
        assert_eq!(chat(body, 1).1.height, 3);
        assert_eq!(chat(body, 4).1.height, 6);
        assert_eq!(chat(body, 50).1.height, 10);
        let (conv, comp) = chat(body, 1);
        assert_eq!(conv.height + comp.height, 30);
    }

    #[test]
    fn centered_fits_inside() {
        let r = centered(Rect::new(0, 0, 20, 10), 40, 4);
        assert_eq!(r, Rect::new(0, 3, 20, 4));
    }
}
