from matis.common.text import BIDI_CONTROLS, has_bidi_controls, strip_bidi_controls


def test_every_directional_control_is_removed():
    for control in BIDI_CONTROLS:
        assert strip_bidi_controls(f"ab{control}cd") == "abcd"
        assert has_bidi_controls(f"x{control}")


def test_names_in_every_script_are_left_alone():
    for name in ("สมชาย ใจดี", "ពេជ្រ", "ສົມພອນ", "အောင်ကို", "王小明", "Nguyễn Thị Lan"):
        assert strip_bidi_controls(name) == name
        assert not has_bidi_controls(name)
