//! An evaluator for the subset of the CloudWatch Logs JSON filter syntax that
//! [`FILTER_PATTERN`](crate::FILTER_PATTERN) uses: `$.a.b = "x"`, `!=`, `>=`/`<=` on numbers,
//! `NOT EXISTS`, a trailing `*` wildcard in strings, `&&`, `||` and parentheses. It lets a test
//! check that the pattern and the in-code filter agree.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Selector(String),
    Op(String),
    NotExists,
    Str(String),
    Num(f64),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..].iter().take(10).collect();
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Token::Open);
            i += 1;
        } else if c == ')' {
            out.push(Token::Close);
            i += 1;
        } else if rest.starts_with("&&") {
            out.push(Token::And);
            i += 2;
        } else if rest.starts_with("||") {
            out.push(Token::Or);
            i += 2;
        } else if rest.starts_with("NOT EXISTS") {
            out.push(Token::NotExists);
            i += 10;
        } else if rest.starts_with("!=") || rest.starts_with(">=") || rest.starts_with("<=") {
            out.push(Token::Op(rest[..2].to_owned()));
            i += 2;
        } else if c == '=' || c == '<' || c == '>' {
            out.push(Token::Op(c.to_string()));
            i += 1;
        } else if c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '$' | '.' | '_')) {
                i += 1;
            }
            out.push(Token::Selector(chars[start..i].iter().collect()));
        } else if c == '"' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            out.push(Token::Str(chars[start..i].iter().collect()));
            i += 1;
        } else if c.is_ascii_digit() || c == '-' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], '.' | '-')) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Token::Num(text.parse().map_err(|_| format!("bad number {text}"))?));
        } else {
            return Err(format!("unexpected {c:?} at {i}"));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    event: &'a Value,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Result<Token, String> {
        let token = self.tokens.get(self.at).cloned().ok_or("unexpected end")?;
        self.at += 1;
        Ok(token)
    }

    /// `or := and ('||' and)*`
    fn or(&mut self) -> Result<bool, String> {
        let mut value = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            value |= self.and()?;
        }
        Ok(value)
    }

    /// `and := primary ('&&' primary)*`
    fn and(&mut self) -> Result<bool, String> {
        let mut value = self.primary()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            value &= self.primary()?;
        }
        Ok(value)
    }

    fn primary(&mut self) -> Result<bool, String> {
        match self.next()? {
            Token::Open => {
                let value = self.or()?;
                match self.next()? {
                    Token::Close => Ok(value),
                    other => Err(format!("expected ), got {other:?}")),
                }
            }
            Token::Selector(selector) => {
                let field = lookup(self.event, &selector);
                match self.next()? {
                    Token::NotExists => Ok(field.is_none()),
                    Token::Op(op) => compare(field, &op, &self.next()?),
                    other => Err(format!("expected an operator, got {other:?}")),
                }
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

fn lookup<'a>(event: &'a Value, selector: &str) -> Option<&'a Value> {
    let path = selector.strip_prefix("$.")?;
    path.split('.').try_fold(event, |value, part| value.get(part)).filter(|v| !v.is_null())
}

fn compare(field: Option<&Value>, op: &str, value: &Token) -> Result<bool, String> {
    match value {
        Token::Str(expected) => {
            let Some(actual) = field.and_then(Value::as_str) else {
                return Ok(false);
            };
            let equal = match expected.strip_suffix('*') {
                Some(prefix) => actual.starts_with(prefix),
                None => actual == expected,
            };
            match op {
                "=" => Ok(equal),
                "!=" => Ok(!equal),
                _ => Err(format!("operator {op} on a string")),
            }
        }
        Token::Num(expected) => {
            let Some(actual) = field.and_then(Value::as_f64) else {
                return Ok(false);
            };
            Ok(match op {
                "=" => actual == *expected,
                "!=" => actual != *expected,
                ">=" => actual >= *expected,
                "<=" => actual <= *expected,
                ">" => actual > *expected,
                "<" => actual < *expected,
                _ => return Err(format!("unknown operator {op}")),
            })
        }
        other => Err(format!("expected a value, got {other:?}")),
    }
}

/// Whether the JSON filter `pattern` (`{ ... }`) matches `event`.
pub fn matches(pattern: &str, event: &Value) -> Result<bool, String> {
    let inner = pattern.trim().strip_prefix('{').and_then(|p| p.strip_suffix('}')).ok_or("not a JSON pattern")?;
    let tokens = tokenize(inner)?;
    let mut parser = Parser { tokens: &tokens, at: 0, event };
    let value = parser.or()?;
    if parser.at != tokens.len() {
        return Err(format!("trailing tokens from {}", parser.at));
    }
    Ok(value)
}

#[test]
fn the_evaluator_follows_the_syntax() {
    let event = serde_json::json!({"a": {"b": "xyz", "n": 204}, "s": "/api/v1/x"});
    let cases = [
        (r#"{ $.a.b = "xyz" }"#, true),
        (r#"{ $.a.b != "xyz" }"#, false),
        (r#"{ $.a.c != "xyz" }"#, false),
        (r#"{ $.a.c NOT EXISTS }"#, true),
        (r#"{ $.a.b NOT EXISTS }"#, false),
        (r#"{ ($.a.n >= 200) && ($.a.n <= 299) }"#, true),
        (r#"{ ($.a.n >= 300) || ($.s = "/api/v1/*") }"#, true),
        (r#"{ ($.a.n >= 300) || (($.s = "/apis/*") && ($.a.b = "xyz")) }"#, false),
    ];
    for (pattern, expected) in cases {
        assert_eq!(matches(pattern, &event), Ok(expected), "{pattern}");
    }
}
