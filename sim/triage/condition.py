"""The condition language of triage rules, parsed here and never by an SQL engine.

Usage::

    condition = parse_condition("abi IS NULL OR abi < 1.00")
    condition.features          # ('abi',)
    frame.select(condition.expr())

Why a parser of our own: ``when`` texts come from rule files that anyone can write. Given to
an SQL engine (``polars.sql_expr``, as before), a rule could read files while it was parsed
(``abi IN (SELECT column_1 FROM read_csv('/etc/passwd'))`` put the file's first line in the
error message), crash the process (a 10,000-term ``OR`` overflowed the parser's stack) or
read the clock (``NOW()``). Here the text is checked against size caps, tokenised, and parsed
by recursive descent into a small syntax tree that can only hold what the grammar allows;
the polars expression is then built from the tree with polars' expression API. No text is
passed to SQL or to Python's ``eval``.

Grammar (keywords and function names in any case; feature names exactly as listed)::

    condition := or
    or        := and ("OR" and)*
    and       := not ("AND" not)*
    not       := "NOT" not | predicate
    predicate := sum [compare | between | in] ["IS" ["NOT"] "NULL"]
    compare   := ("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") sum
    between   := ["NOT"] "BETWEEN" sum "AND" sum
    in        := ["NOT"] "IN" "(" value ("," value)* ")"
    sum       := product (("+" | "-") product)*
    product   := sign (("*" | "/") sign)*
    sign      := ("-" | "+") sign | atom
    atom      := number | 'text' | TRUE | FALSE | NULL | feature
               | function "(" or ("," or)* ")" | "(" or ")"
    value     := ["-" | "+"] number | 'text' | TRUE | FALSE | NULL
    function  := ABS (one argument) | COALESCE | GREATEST | LEAST (one or more)

Each construct is built as polars' SQL front end built it, so rules written for it decide
the same: SQL null semantics (a comparison with null is null; ``AND``/``OR`` are three-valued;
``NOT`` casts to Boolean first), ``BETWEEN`` is ``x >= lo AND x <= hi``, ``IN`` is a chain
of ``=`` joined by ``OR``, ``-x`` is ``0 - x``, ``LEAST``/``GREATEST`` skip nulls
(``min_horizontal``/``max_horizontal``). One difference: a number with a decimal point is a
float here, where polars SQL makes it an exact decimal. The two agree for every comparison
and for arithmetic that involves a float feature (measurements, shares, means); they can
differ in the last digit only for arithmetic without one, such as ``on_statin * 0.1 = 0.1``
or ``0.1 + 0.2 = 0.3`` (an integer feature or numbers alone).

Caps, checked before anything is built: ``MAX_CHARS`` characters, ``MAX_OPERANDS`` features
and values, ``MAX_DEPTH`` levels of nesting (parentheses, function calls, ``NOT``, signs).
The depth cap also bounds the parser's recursion, far below Python's recursion limit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import polars as pl

MAX_CHARS = 2000
"""Longest ``when`` text accepted."""
MAX_OPERANDS = 200
"""Most features and values (numbers, texts, TRUE, FALSE, NULL) in one condition."""
MAX_DEPTH = 32
"""Deepest nesting of parentheses, function calls, ``NOT`` and signs."""

KEYWORDS = frozenset({"AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE", "BETWEEN", "IN"})
"""Words of the grammar (any case); they cannot be feature names."""
FUNCTIONS: dict[str, tuple[int, Callable[..., pl.Expr]]] = {
    "ABS": (1, pl.Expr.abs),
    "COALESCE": (-1, pl.coalesce),
    "GREATEST": (-1, pl.max_horizontal),
    "LEAST": (-1, pl.min_horizontal),
}
"""Allowed functions: name -> (number of arguments, -1 = one or more; builder). All pure."""
QUERY_WORDS = frozenset(
    {
        "SELECT", "FROM", "WHERE", "WITH", "UNION", "INTERSECT", "EXCEPT", "JOIN", "TABLE",
        "VALUES", "INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER", "COPY", "ATTACH",
        "PRAGMA", "EXISTS", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "LIKE",
        "ILIKE", "DISTINCT", "GROUP", "ORDER", "BY", "HAVING", "LIMIT", "OFFSET", "OVER",
        "INTERVAL", "ANY", "ALL", "SOME",
    }
)  # fmt: skip
"""SQL words refused by name, so that a query gets a clear message, not 'unknown feature'."""
CLOCK_WORDS = frozenset(
    {"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP"}
)
"""SQL's clock values: a decision must not depend on when it runs."""

_COMPARISONS = {
    "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
}  # fmt: skip
"""Comparison operators as written -> as stored (``==`` is ``=``, ``<>`` is ``!=``)."""
_VALUE_WORDS = ("TRUE", "FALSE", "NULL")
_INT64_MAX = 2**63 - 1
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<text>'(?:[^']|'')*')
    | (?P<op><=|>=|<>|!=|==|[=<>+\-*/(),])
    """,
    re.VERBOSE | re.ASCII,
)


class ConditionError(ValueError):
    """A ``when`` text outside the grammar; the message is one line."""


class ConditionTooLarge(ConditionError):
    """A ``when`` text beyond a size cap (characters, operands or nesting)."""


# --------------------------------------------------------------------------------------
# syntax tree
# --------------------------------------------------------------------------------------
Value = int | float | str | bool | None


@dataclass(frozen=True, slots=True)
class Feature:
    name: str


@dataclass(frozen=True, slots=True)
class Literal:
    value: Value


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Sign:
    op: str  # "+" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Logical:
    op: str  # "AND" or "OR"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Arithmetic:
    first: Node
    rest: tuple[tuple[str, Node], ...]  # ("+" | "-" | "*" | "/", operand), left to right


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # one of = != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class IsNull:
    operand: Node
    negated: bool


@dataclass(frozen=True, slots=True)
class Between:
    operand: Node
    low: Node
    high: Node
    negated: bool


@dataclass(frozen=True, slots=True)
class In:
    operand: Node
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Call:
    function: str  # a key of FUNCTIONS
    args: tuple[Node, ...]


Node = (
    Feature | Literal | Not | Sign | Logical | Arithmetic | Compare | IsNull | Between | In | Call
)


@dataclass(frozen=True)
class Condition:
    """A parsed ``when``: its syntax tree and the features it reads (in order of first use)."""

    text: str
    tree: Node
    features: tuple[str, ...]

    def expr(self) -> pl.Expr:
        """The polars expression (built from the tree; the text is not consulted)."""
        return _build(self.tree)


# --------------------------------------------------------------------------------------
# tokens
# --------------------------------------------------------------------------------------
class Token(NamedTuple):
    kind: str  # number, name, keyword, text, op, end
    text: str
    pos: int  # 0-based offset in the condition


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the condition"
    return f"{token.text!r} at character {token.pos + 1}"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; refuse any character the grammar does not use."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text.startswith(("--", "/*"), pos):
            raise ConditionError(
                f"comments are not allowed ({text[pos : pos + 2]!r} at character {pos + 1}); "
                "use a YAML # comment next to the rule"
            )
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            if char == ";":
                raise ConditionError(
                    f"';' at character {pos + 1} is not allowed: a rule is one condition"
                )
            if char == "'":
                raise ConditionError(f"unterminated text starting at character {pos + 1}")
            raise ConditionError(f"unexpected character {char!r} at character {pos + 1}")
        kind = match.lastgroup or ""
        word = match.group()
        if kind == "number" and match.end() < len(text) and _is_word_char(text[match.end()]):
            raise ConditionError(
                f"unexpected {text[match.end()]!r} after the number {word!r} "
                f"at character {match.end() + 1}"
            )
        if kind == "name":
            upper = word.upper()
            if upper in QUERY_WORDS:
                raise ConditionError(
                    f"{word!r} at character {pos + 1} is not allowed: a rule is a condition "
                    "over features, not an SQL query"
                )
            if upper in CLOCK_WORDS:
                raise ConditionError(
                    f"{word!r} at character {pos + 1} is not allowed: a decision must not "
                    "depend on the clock"
                )
            if upper in KEYWORDS:
                kind, word = "keyword", upper
        if kind != "space":
            tokens.append(Token(kind, word, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _is_value(token: Token) -> bool:
    """A number, a text, TRUE, FALSE or NULL."""
    return token.kind in ("number", "text") or (
        token.kind == "keyword" and token.text in _VALUE_WORDS
    )


def _count_operands(tokens: list[Token]) -> int:
    """Features and values: names not followed by ``(`` (functions), numbers, texts..."""
    count = 0
    for token, after in zip(tokens, tokens[1:], strict=False):  # the last token is "end"
        if token.kind == "name":
            count += not (after.kind == "op" and after.text == "(")
        else:
            count += _is_value(token)
    return count


# --------------------------------------------------------------------------------------
# parser
# --------------------------------------------------------------------------------------
class _Parser:
    """Recursive descent over the grammar in the module docstring, one method a rule."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.features: list[str] = []

    # -- helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "end":
            self.i += 1
        return token

    def accept(self, *texts: str) -> Token | None:
        """The next token if it is one of ``texts`` (keywords and operators), else None."""
        token = self.token
        if token.kind in ("keyword", "op") and token.text in texts:
            return self.advance()
        return None

    def expect(self, text: str, what: str) -> Token:
        token = self.accept(text)
        if token is None:
            raise ConditionError(f"expected {what}, got {_describe(self.token)}")
        return token

    def enter(self) -> None:
        """One level deeper (called after the token that opens it); refuse past the cap."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            opener = self.tokens[self.i - 1]
            raise ConditionTooLarge(
                f"when nests more than {MAX_DEPTH} levels deep (parentheses, functions, NOT, "
                f"signs): {_describe(opener)} opens level {self.depth}; simplify it"
            )

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar
    def condition(self) -> Node:
        node = self.or_()
        if self.token.kind != "end":
            raise ConditionError(f"unexpected {_describe(self.token)}")
        return node

    # Each level of nesting costs one Python frame per method below (8 in all), so the
    # loops are written out rather than shared through a helper.
    def or_(self) -> Node:
        operands = [self.and_()]
        while self.accept("OR"):
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else Logical("OR", tuple(operands))

    def and_(self) -> Node:
        operands = [self.not_()]
        while self.accept("AND"):
            operands.append(self.not_())
        return operands[0] if len(operands) == 1 else Logical("AND", tuple(operands))

    def not_(self) -> Node:
        if self.accept("NOT"):
            self.enter()
            node: Node = Not(self.not_())
            self.leave()
            return node
        return self.predicate()

    def predicate(self) -> Node:
        left = self.sum_()
        token = self.token
        if token.kind == "op" and token.text in _COMPARISONS:
            self.advance()
            left = Compare(_COMPARISONS[token.text], left, self.sum_())
            after = self.token
            if after.kind == "op" and after.text in _COMPARISONS:
                raise ConditionError(
                    f"comparisons cannot be chained ({_describe(after)}); "
                    "join them with AND, e.g. 'x > 1 AND x < 2'"
                )
        else:
            negated = self.accept("NOT") is not None
            if self.accept("BETWEEN"):
                low = self.sum_()
                self.expect("AND", "AND in BETWEEN ... AND ...")
                left = Between(left, low, self.sum_(), negated)
            elif self.accept("IN"):
                left = In(left, self.in_list(), negated)
            elif negated:
                raise ConditionError(
                    f"expected BETWEEN or IN after NOT, got {_describe(self.token)}"
                )
        if self.accept("IS"):
            negated = self.accept("NOT") is not None
            self.expect("NULL", "NULL after IS" + (" NOT" if negated else ""))
            left = IsNull(left, negated)
        return left

    def in_list(self) -> tuple[Literal, ...]:
        self.expect("(", "'(' after IN")
        values = [self.value()]
        while self.accept(","):
            values.append(self.value())
        self.expect(")", "',' or ')' in IN (...)")
        return tuple(values)

    def value(self) -> Literal:
        """A literal in ``IN (...)``: lists hold values, not features or expressions."""
        sign = self.accept("-", "+")
        token = self.token
        if token.kind == "number":
            self.advance()
            number = _number(token)
            return Literal(-number if sign and sign.text == "-" else number)
        if sign is None and _is_value(token):
            return self.literal(self.advance())
        raise ConditionError(
            f"expected a number, a 'text', TRUE, FALSE or NULL in IN (...), got {_describe(token)}"
        )

    def sum_(self) -> Node:
        first = self.product()
        rest: list[tuple[str, Node]] = []
        while (token := self.accept("+", "-")) is not None:
            rest.append((token.text, self.product()))
        return Arithmetic(first, tuple(rest)) if rest else first

    def product(self) -> Node:
        first = self.sign()
        rest: list[tuple[str, Node]] = []
        while (token := self.accept("*", "/")) is not None:
            rest.append((token.text, self.sign()))
        return Arithmetic(first, tuple(rest)) if rest else first

    def sign(self) -> Node:
        token = self.accept("-", "+")
        if token is None:
            return self.atom()
        self.enter()
        operand = self.sign()
        self.leave()
        value = operand.value if isinstance(operand, Literal) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            # polars SQL folds a signed number into the literal (-1 is one value).
            return Literal(value if token.text == "+" else -value)
        return Sign(token.text, operand)

    def atom(self) -> Node:
        token = self.token
        if _is_value(token):
            return self.literal(self.advance())
        if token.kind == "name":
            self.advance()
            if self.accept("("):
                return self.call(token)
            self.features.append(token.text)
            return Feature(token.text)
        if self.accept("("):
            self.enter()
            node = self.or_()
            self.expect(")", "')'")
            self.leave()
            return node
        raise ConditionError(f"expected a feature, a number or '(', got {_describe(token)}")

    def call(self, name: Token) -> Node:
        function = name.text.upper()
        if function not in FUNCTIONS:
            raise ConditionError(
                f"function {name.text!r} at character {name.pos + 1} is not allowed "
                f"(allowed: {', '.join(FUNCTIONS)})"
            )
        self.enter()
        args = [self.or_()]
        while self.accept(","):
            args.append(self.or_())
        self.expect(")", f"',' or ')' in {function}(...)")
        self.leave()
        arity = FUNCTIONS[function][0]
        if arity >= 0 and len(args) != arity:
            raise ConditionError(
                f"{function} at character {name.pos + 1} takes {arity} argument"
                f"{'s' if arity != 1 else ''}, got {len(args)}"
            )
        return Call(function, tuple(args))

    def literal(self, token: Token) -> Literal:
        if token.kind == "number":
            return Literal(_number(token))
        if token.kind == "text":
            return Literal(token.text[1:-1].replace("''", "'"))
        return Literal({"TRUE": True, "FALSE": False, "NULL": None}[token.text])


def _number(token: Token) -> int | float:
    """An integer literal is an int (polars' dynamic integer); anything else a finite float."""
    text = token.text
    if text.isdigit() and int(text) <= _INT64_MAX:
        return int(text)
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ConditionError(f"the number {_describe(token)} is out of range")
    return value


@functools.lru_cache(maxsize=4096)
def parse_condition(text: str) -> Condition:
    """Parse a ``when`` text, or raise ``ConditionError`` (one line) saying what is wrong.

    The caps come first: a text beyond them is refused before it is tokenised or parsed.
    """
    if len(text) > MAX_CHARS:
        raise ConditionTooLarge(
            f"when has {len(text):,} characters, more than the {MAX_CHARS:,} allowed; "
            "split it into several rules"
        )
    tokens = tokenize(text)
    operands = _count_operands(tokens)
    if operands > MAX_OPERANDS:
        raise ConditionTooLarge(
            f"when has {operands:,} features and values, more than the {MAX_OPERANDS} "
            "allowed; split it into several rules"
        )
    if tokens[0].kind == "end":
        raise ConditionError("the condition is empty")
    parser = _Parser(tokens)
    tree = parser.condition()
    return Condition(text, tree, tuple(dict.fromkeys(parser.features)))


# --------------------------------------------------------------------------------------
# polars expression
# --------------------------------------------------------------------------------------
_ARITHMETIC: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "+": pl.Expr.add,
    "-": pl.Expr.sub,
    "*": pl.Expr.mul,
    "/": pl.Expr.truediv,
}
_COMPARE: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "=": pl.Expr.eq,
    "!=": lambda a, b: a.eq(b).not_(),  # as polars SQL: NOT (a = b)
    "<": pl.Expr.lt,
    "<=": pl.Expr.le,
    ">": pl.Expr.gt,
    ">=": pl.Expr.ge,
}


def _build(node: Node) -> pl.Expr:
    """The polars expression of a tree node (recursion bounded by ``MAX_DEPTH``)."""
    match node:
        case Feature(name):
            return pl.col(name)
        case Literal(value):
            return pl.lit(value)
        case Not(operand):
            return _build(operand).cast(pl.Boolean, strict=True).not_()
        case Sign(op, operand):
            return _ARITHMETIC[op](pl.lit(0), _build(operand))
        case Logical(op, operands):
            combine = pl.Expr.and_ if op == "AND" else pl.Expr.or_
            return functools.reduce(combine, (_build(x) for x in operands))
        case Arithmetic(first, rest):
            out = _build(first)
            for op, operand in rest:
                out = _ARITHMETIC[op](out, _build(operand))
            return out
        case Compare(op, left, right):
            return _COMPARE[op](_build(left), _build(right))
        case IsNull(operand, negated):
            inner = _build(operand)
            return inner.is_not_null() if negated else inner.is_null()
        case Between(operand, low, high, negated):
            x, lo, hi = _build(operand), _build(low), _build(high)
            return x.lt(lo).or_(x.gt(hi)) if negated else x.ge(lo).and_(x.le(hi))
        case In(operand, values, negated):
            x = _build(operand)
            found = functools.reduce(pl.Expr.or_, (x.eq(pl.lit(v.value)) for v in values))
            return found.not_() if negated else found
        case Call(function, args):
            return FUNCTIONS[function][1](*(_build(a) for a in args))
    raise TypeError(f"not a condition node: {node!r}")  # unreachable: the parser made it


__all__ = [
    "FUNCTIONS",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_OPERANDS",
    "Condition",
    "ConditionError",
    "ConditionTooLarge",
    "parse_condition",
    "tokenize",
]
