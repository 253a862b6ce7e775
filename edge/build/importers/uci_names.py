"""Product names of the UCI Online Retail data: readable titles and coarse categories.

The dataset has no category field. ``category_for`` is a heuristic on the product name
only: the first category in ``CATEGORY_KEYWORDS`` with a keyword in the name wins (plural
"S"/"ES" forms match too), and names matching none are "Other".
"""

from __future__ import annotations

import re

# Multi-word phrases checked before the single keywords, where a lone word would mislead
# ("HOT WATER BOTTLE" is not kitchenware, "TEA TOWEL" is not bathroom linen).
PHRASES: tuple[tuple[str, str], ...] = (
    ("HOT WATER BOTTLE", "Bath & Textiles"),
    ("TEA TOWEL", "Kitchen & Dining"),
)

# Order matters: seasonal and specific categories come before generic ones.
CATEGORY_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("Christmas", "CHRISTMAS XMAS ADVENT SANTA REINDEER NATIVITY SNOWMAN BAUBLE SNOWFLAKE TINSEL"),
    ("Easter", "EASTER BUNNY CHICK"),
    ("Candles & Lights", "T-LIGHT TLIGHT CANDLE CANDLESTICK LANTERN LIGHT LAMP LAMPSHADE NIGHTLIGHT "
                         "CANDLEHOLDER INCENSE"),
    ("Bags & Purses", "BAG SHOPPER TOTE PURSE WALLET WASHBAG HANDBAG BACKPACK RUCKSACK"),
    ("Cards & Wrap", "CARD WRAP WRAPPING TAG RIBBON ENVELOPE TISSUE GIFTWRAP"),
    ("Party", "PARTY BUNTING BALLOON CONFETTI BIRTHDAY PINATA"),
    ("Baking", "BAKING CASES CUTTER CAKESTAND CAKE CUPCAKE ICING DOILY DOILIES MOULD"),
    ("Kitchen & Dining", "MUG CUP TEACUP SAUCER TEA TEAPOT COFFEE BOWL PLATE JAR JUG TIN TRAY CUTLERY "
                         "SPOON NAPKIN APRON GLOVE KITCHEN LUNCH BEAKER TUMBLER GLASSES DINNER SNACK "
                         "PICNIC COASTER SCALES RECIPE EGG KETTLE CHOPSTICKS STRAW BREAD CONTAINER "
                         "DISPENSER PANTRY CAFE BISCUIT DISH MITT PAN LADLE TONGS PLACEMAT OPENER"),
    ("Stationery", "PEN PENCIL NOTEBOOK NOTEPAD PAD STICKER ERASER RUBBER CALENDAR JOURNAL MEMO DIARY "
                   "BOOK BOOKMARK RULER CRAYON CHALK CHALKBOARD STAMP SHARPENER MAGNET STATIONERY "
                   "WRITING SKETCHBOOK COLOURING EXERCISE DRAWING MEMOBOARD POSTCARD"),
    ("Crafts & Sewing", "SEWING KNITTING FELTCRAFT CRAFT BUTTON THREAD CLAY PAINT STENCIL"),
    ("Toys & Kids", "TOY GAME JIGSAW PUZZLE DOLL SKIPPING DOMINOES PLAYHOUSE SOLDIER SPINNING KITE "
                    "MARBLE TEDDY PUPPET BINGO LADDERS BABY BIB CHILDRENS CHILDS KIDS NAUGHTS LUDO "
                    "ROCKING WINDMILL"),
    ("Jewellery & Accessories", "NECKLACE BRACELET EARRINGS RING BROOCH CHARM HAIR HAIRCLIP SLIDE BEADS "
                                "UMBRELLA SCARF WARMER GLOVES HAT KEYRING FOB CLIPS PONCHO LIP COMPACT"),
    ("Garden", "GARDEN GARDENERS WATERING PLANTER BIRDHOUSE FEEDER SEED PLANT FLOWERPOT PARASOL HERB"),
    ("Storage", "BOX BASKET CRATE DRAWER CABINET STORAGE CHEST TRUNK HAMPER CASE CADDY BIN TRINKET"),
    ("Bath & Textiles", "TOWEL SOAP BATHROOM BATH BLANKET THROW CUSHION HOTTIE PLASTERS QUILT PILLOW "
                        "DOORMAT MAT"),
    ("Home Decor", "FRAME SIGN CLOCK HOOK HANGER ORNAMENT DECORATION WREATH GARLAND VASE DOORSTOP WALL "
                   "KNOB DRAWERKNOB PHOTO PICTURE BELL HANGING CHANDELIER SHELF HOLDER RACK MIRROR "
                   "WICKER TRELLIS FILIGREE FAN"),
)
OTHER = "Other"

_PATTERNS = [
    (name, re.compile(r"\b(?:" + "|".join(re.escape(w) + "(?:S|ES)?" for w in words.split()) + r")\b"))
    for name, words in CATEGORY_KEYWORDS
]


def category_for(name: str | None) -> str:
    text = " ".join((name or "").upper().split())
    for phrase, category in PHRASES:
        if phrase in text:
            return category
    for category, pattern in _PATTERNS:
        if pattern.search(text):
            return category
    return OTHER


_SMALL_WORDS = {"A", "AN", "AND", "AS", "AT", "BY", "FOR", "IN", "OF", "ON", "OR", "THE", "TO", "W", "WITH"}
_ACRONYMS = {"ABC", "LED", "UK", "USA", "NY", "XL", "DVD", "CD", "PHD", "ASST", "ASSTD", "RSPB"}
_PARTS = re.compile(r"([-/&+,.()\"]+)")


def _part(part: str) -> str:
    if not part or part in _ACRONYMS or not part[0].isalnum():
        return part
    if any(ch.isdigit() for ch in part):
        return part.replace("'S", "'s")  # sizes and codes such as 3D, 45CM, 50'S stay as they are
    return part[0].upper() + part[1:].lower()


def nice_title(name: str | None) -> str | None:
    """'WHITE HANGING HEART T-LIGHT HOLDER' -> 'White Hanging Heart T-Light Holder'."""
    words = (name or "").upper().split()
    if not words:
        return None
    out = []
    for i, word in enumerate(words):
        if i and word in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("".join(_part(p) for p in _PARTS.split(word)))
    return " ".join(out)
