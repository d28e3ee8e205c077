//! The boolean skeleton that the `type` and `q` grammars share.

use super::parse::QueryError;

/// What the `type` and `q` grammars share: terms joined by `;` ("and") and by an "or" sign,
/// and parentheses, nested at most 16 deep. Each grammar brings its own terms (`leaf`).
pub(super) trait Boolean {
    type Expr;
    /// The signs that mean "or".
    const OR: &'static [char];
    fn eat(&mut self, c: char) -> bool;
    fn error(&self, what: &str) -> QueryError;
    fn depth(&mut self) -> &mut usize;
    fn all(items: Vec<Self::Expr>) -> Self::Expr;
    fn any(items: Vec<Self::Expr>) -> Self::Expr;
    fn leaf(&mut self) -> Result<Self::Expr, QueryError>;
}

/// One item alone, or the items joined.
fn joined<T>(mut items: Vec<T>, join: fn(Vec<T>) -> T) -> T {
    if items.len() == 1 {
        items.remove(0)
    } else {
        join(items)
    }
}

pub(super) fn or<G: Boolean>(g: &mut G) -> Result<G::Expr, QueryError> {
    let mut items = vec![and(g)?];
    while G::OR.iter().any(|c| g.eat(*c)) {
        items.push(and(g)?);
    }
    Ok(joined(items, G::any))
}

fn and<G: Boolean>(g: &mut G) -> Result<G::Expr, QueryError> {
    let mut items = vec![primary(g)?];
    while g.eat(';') {
        items.push(primary(g)?);
    }
    Ok(joined(items, G::all))
}

fn primary<G: Boolean>(g: &mut G) -> Result<G::Expr, QueryError> {
    if !g.eat('(') {
        return g.leaf();
    }
    *g.depth() += 1;
    if *g.depth() > 16 {
        return Err(g.error("too deeply nested"));
    }
    let inner = or(g)?;
    if !g.eat(')') {
        return Err(g.error("expected )"));
    }
    *g.depth() -= 1;
    Ok(inner)
}
