use serde_json::json;

use super::*;
use crate::api::messages::{Origin, RequestOptions, Thinking, ThinkingDisplay, plan_request};
use crate::api::{CacheTtl, Message, ThinkingChoice};

/// The settings of one request, changed as a person would between turns.
#[derive(Clone)]
struct Turned {
    model: &'static str,
    system: Option<&'static str>,
    web: bool,
    thinking: ThinkingChoice,
}

const START: Turned = Turned {
    model: "claude-opus-5-5",
    system: None,
    web: false,
    thinking: ThinkingChoice::Adaptive,
};

/// A conversation as the engine runs it: each request planned from the settings and the
/// earlier messages (their origins as recorded), settled, and answered with thinking.
#[derive(Default)]
struct Conversation {
    messages: Vec<Message>,
    n: usize,
}

impl Conversation {
    /// Plans and settles the next request; returns it with its note.
    fn request(&self, s: &Turned, prompt: &str) -> (MessageRequest, Option<String>) {
        let opts = RequestOptions {
            model: s.model.into(),
            max_tokens: None,
            system: s.system.map(str::to_string),
            temperature: None,
            thinking: s.thinking,
            thinking_display: ThinkingDisplay::Summarized,
            effort: None,
            api_version: "2023-06-01".into(),
            cache: Some(CacheTtl::FiveMinutes),
            web: s.web,
            web_code_execution: false,
        };
        let mut messages = self.messages.clone();
        messages.push(Message::user_text(prompt));
        let mut request = plan_request(&opts, None, messages).unwrap().request;
        let note = settle(&mut request);
        (request, note)
    }

    /// Sends the next prompt: the reply (thinking, then text) is kept with its origin, as
    /// the history keeps it. Returns what was sent and the note.
    fn send(&mut self, s: &Turned, prompt: &str) -> (MessageRequest, Option<String>) {
        let (request, note) = self.request(s, prompt);
        self.n += 1;
        // The history keeps every reply whole: what a request leaves out is its own.
        self.messages.push(Message::user_text(prompt));
        self.messages.push(Message {
            role: Role::Assistant,
            content: vec![
                json!({"type":"thinking","thinking":format!("t{}", self.n),"signature":format!("sig{}", self.n)}),
                json!({"type":"text","text":format!("a{}", self.n)}),
            ],
            origin: Some(Origin {
                id: Some(format!("msg_{}", self.n)),
                binding: Some(Binding::of(&request)),
            }),
        });
        (request, note)
    }
}

/// The signatures of the thinking a request carries, in order.
fn carried(r: &MessageRequest) -> Vec<String> {
    r.messages
        .iter()
        .flat_map(|m| &m.content)
        .filter_map(|b| b["signature"].as_str().map(str::to_string))
        .collect()
}

fn opted_in(r: &MessageRequest) -> bool {
    let body = serde_json::to_value(r).unwrap();
    let set = body["thinking"]["block_binding"]["prefix_mismatch_behavior"] == "drop_block";
    assert_eq!(
        set,
        r.betas.contains(&BETA),
        "the beta goes with block_binding"
    );
    set
}

#[test]
fn nothing_changed_sends_the_thinking_unchanged_with_the_safety_net() {
    let mut c = Conversation::default();
    let (first, _) = c.send(&START, "q1");
    assert!(!opted_in(&first), "nothing to carry yet");
    let (second, note) = c.send(&START, "q2");
    assert_eq!(carried(&second), ["sig1"]);
    assert!(opted_in(&second));
    assert_eq!(note, None);
    let (third, note) = c.send(&START, "q3");
    assert_eq!(carried(&third), ["sig1", "sig2"]);
    assert_eq!(note, None);
}

#[test]
fn a_model_switch_strips_once_says_so_once_and_switching_back_brings_it_back() {
    let mut c = Conversation::default();
    c.send(&START, "q1");
    let other = Turned {
        model: "claude-sonnet-5-5",
        ..START
    };
    let (switched, note) = c.send(&other, "q2");
    assert!(carried(&switched).is_empty());
    assert!(!opted_in(&switched), "no thinking left: no opt-in");
    assert_eq!(
        note.as_deref(),
        Some("earlier thinking not sent: the model changed")
    );
    // The reply after the switch was made without the old thinking: it stays sendable,
    // and nothing new is said.
    let (after, note) = c.send(&other, "q3");
    assert_eq!(carried(&after), ["sig2"]);
    assert_eq!(note, None);
    // Back to the first model: its thinking matches its prefix again; the other's goes.
    let (back, note) = c.send(&START, "q4");
    assert_eq!(carried(&back), ["sig1"]);
    assert_eq!(
        note.as_deref(),
        Some("earlier thinking not sent: the model changed")
    );
}

#[test]
fn the_system_prompt_and_the_tools_are_named_when_they_change() {
    let mut c = Conversation::default();
    c.send(&START, "q1");
    let system = Turned {
        system: Some("Be terse."),
        ..START
    };
    let (_, note) = c.send(&system, "q2");
    assert_eq!(
        note.as_deref(),
        Some("earlier thinking not sent: the system prompt changed")
    );
    let web = Turned {
        web: true,
        ..system
    };
    let (r, note) = c.send(&web, "q3");
    assert!(carried(&r).is_empty());
    assert_eq!(
        note.as_deref(),
        Some("earlier thinking not sent: the tools changed (tools turned on)")
    );
    let (r, note) = c.send(&system, "q4");
    // Turned off again: the reply made with the system prompt and no tools matches.
    assert_eq!(carried(&r), ["sig2"]);
    assert_eq!(
        note.as_deref(),
        Some("earlier thinking not sent: the tools changed (tools turned off)")
    );
    let both = Turned {
        model: "claude-sonnet-5-5",
        system: None,
        ..START
    };
    let (_, note) = c.send(&both, "q5");
    assert_eq!(
        note.as_deref(),
        Some("earlier thinking not sent: the model changed and the system prompt changed")
    );
}

#[test]
fn a_branch_from_an_edited_prompt_keeps_the_thinking_before_the_edit() {
    let mut c = Conversation::default();
    c.send(&START, "q1");
    c.send(&START, "q2");
    // Edit q2: the branch is q1, a1, then the edited prompt.
    c.messages.truncate(2);
    let (r, note) = c.request(&START, "q2, edited");
    assert_eq!(carried(&r), ["sig1"]);
    assert!(opted_in(&r));
    assert_eq!(note, None);
}

#[test]
fn leaving_out_old_turns_changes_the_prefix_of_the_rest() {
    let mut c = Conversation::default();
    c.send(&START, "q1");
    c.send(&START, "q2");
    let (mut r, _) = c.request(&START, "q3");
    assert_eq!(carried(&r), ["sig1", "sig2"]);
    // Left out to fit the context, after planning (as `oat ask --drop-oldest` does).
    r.messages.drain(..2);
    let note = settle(&mut r);
    assert!(carried(&r).is_empty());
    assert_eq!(
        note.as_deref(),
        Some("earlier thinking not sent: the earlier turns changed")
    );
    // Settling again changes nothing.
    let before = r.clone();
    settle(&mut r);
    assert_eq!(r, before);
}

#[test]
fn a_reply_that_was_only_thinking_goes_with_its_prompt_and_what_followed_it_too() {
    let mut c = Conversation::default();
    c.send(&START, "q1");
    c.messages[1].content.truncate(1); // stopped while it still thought
    c.send(&START, "q2");
    let other = Turned {
        model: "claude-sonnet-5-5",
        ..START
    };
    let (r, note) = c.request(&other, "q3");
    let texts: Vec<&str> = r
        .messages
        .iter()
        .flat_map(|m| &m.content)
        .filter_map(|b| b["text"].as_str())
        .collect();
    assert_eq!(texts, ["q2", "a2", "q3"], "roles still alternate");
    assert!(carried(&r).is_empty());
    assert!(note.is_some());
}

#[test]
fn a_reply_kept_before_bindings_were_recorded_is_judged_by_its_model_and_left_to_the_api() {
    let mut c = Conversation::default();
    c.send(&START, "q1");
    c.messages[1].origin = Some(Origin {
        id: None,
        binding: Binding::stored(None, Some(START.model)),
    });
    let (r, note) = c.request(
        &Turned {
            system: Some("new"),
            ..START
        },
        "q2",
    );
    // Its system prompt is not known: sent, with the API asked to drop it if bound elsewhere.
    assert_eq!(carried(&r), ["sig1"]);
    assert!(opted_in(&r));
    assert_eq!(note, None);
    let (r, _) = c.request(
        &Turned {
            model: "claude-sonnet-5-5",
            ..START
        },
        "q2",
    );
    assert!(carried(&r).is_empty(), "its model is known");
}

#[test]
fn without_a_thinking_setting_there_is_nowhere_to_opt_in() {
    let mut c = Conversation::default();
    c.send(&START, "q1");
    let plain = Turned {
        thinking: ThinkingChoice::Default,
        ..START
    };
    let (r, _) = c.request(&plain, "q2");
    assert_eq!(carried(&r), ["sig1"]);
    assert!(r.thinking.is_none());
    assert!(!opted_in(&r));
    let (r, _) = c.request(&START, "q2");
    assert!(matches!(
        r.thinking,
        Some(Thinking::Adaptive {
            block_binding: Some(_),
            ..
        })
    ));
}
