"""CSV/TSV/TXT: delimiter and encoding detection, quoting, file row numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cxsurvey.errors import InputError
from cxsurvey.io import load_survey
from cxsurvey.io.readers import read_table
from cxsurvey.model.spec import DataSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax

ROWS = [["id", "Att1", "Att2", "Att3", "Comment"],
        ["1", "4", "5", "4", "good"],
        ["2", "3", "", "2", "fine"],
        ["3", "2", "2", "1", "bad"]]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _model(syntax: str = "A =~ Att1 + Att2 + Att3", **data: object) -> SurveyModel:
    return SurveyModel(data=DataSpec(**data), model=parse_syntax(syntax))  # type: ignore[arg-type]


@pytest.mark.parametrize(("delim", "suffix"), [
    (",", ".csv"), (";", ".csv"), ("\t", ".csv"), ("|", ".csv"),
    ("\t", ".tsv"), (";", ".txt"), ("|", ".txt"),
])
def test_delimiter_is_detected(tmp_path: Path, delim: str, suffix: str) -> None:
    path = _write(tmp_path / f"s{suffix}", "\n".join(delim.join(r) for r in ROWS) + "\n")
    raw = read_table(path)
    assert raw.details["delimiter"] == delim
    assert list(raw.frame.columns) == ROWS[0]
    assert raw.frame["Att1"].tolist() == [4, 3, 2]
    assert raw.frame["Att1"].dtype.kind == "i"
    assert np.isnan(raw.frame.at[1, "Att2"]) and raw.frame["Att2"].dtype.kind == "f"
    assert raw.frame["Comment"].tolist() == ["good", "fine", "bad"]
    assert raw.first_data_row == 2 and raw.kind == "text"


def test_delimiter_from_the_model(tmp_path: Path) -> None:
    # every line also splits at ',' into 2 fields; the model says ';'
    text = "id;Att1;Att2\n1;4,5;5\n2;3,5;2\n"
    path = _write(tmp_path / "s.csv", text)
    raw = read_table(path, DataSpec(delimiter=";"))
    assert list(raw.frame.columns) == ["id", "Att1", "Att2"]
    assert raw.frame["Att1"].tolist() == ["4,5", "3,5"]  # decimal commas stay text here
    assert read_table(path, DataSpec(delimiter="\\t")).details["delimiter"] == "\t"


def test_utf8_bom_is_not_part_of_the_first_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid,Att1,Att2\n1,4,5\n2,3,3\n".encode())
    raw = read_table(path)
    assert list(raw.frame.columns) == ["id", "Att1", "Att2"]
    assert raw.details["encoding"] == "utf-8"
    # also when the model names the encoding
    raw = read_table(path, DataSpec(encoding="utf-8"))
    assert raw.frame.columns[0] == "id"


def test_cp1252_text_is_detected(tmp_path: Path) -> None:
    text = "id;Att1;Att2;City\n1;4;5;Zürich\n2;3;3;Besançon – café\n"
    path = _write(tmp_path / "s.csv", text, "cp1252")
    raw = read_table(path)
    assert raw.details["encoding"] == "cp1252"
    assert raw.frame["City"].tolist() == ["Zürich", "Besançon – café"]


def test_latin1_with_the_model_encoding(tmp_path: Path) -> None:
    text = "id,Att1,Att2,Ville\n1,4,5,Fès\n2,3,3,Orléans\n"
    path = _write(tmp_path / "s.csv", text, "latin-1")
    raw = read_table(path, DataSpec(encoding="latin-1"))
    assert raw.frame["Ville"].tolist() == ["Fès", "Orléans"]
    with pytest.raises(InputError, match="cannot decode the file as utf-8"):
        read_table(path, DataSpec(encoding="utf-8"))


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.txt", "id\tAtt1\tAtt2\n1\t4\t5\n2\t3\t3\n", "utf-16")
    raw = read_table(path)
    assert list(raw.frame.columns) == ["id", "Att1", "Att2"]
    assert raw.details["delimiter"] == "\t"


def test_quoted_fields_with_delimiters_and_quotes(tmp_path: Path) -> None:
    text = ('id,Att1,Att2,Comment\n'
            '1,4,5,"good, very good"\n'
            '2,3,2,"she said ""fine"", left"\n'
            '3,2,2,"a;b|c\td"\n')
    raw = read_table(_write(tmp_path / "q.csv", text))
    assert raw.details["delimiter"] == ","
    assert raw.frame["Comment"].tolist() == ["good, very good", 'she said "fine", left',
                                             "a;b|c\td"]


def test_semicolon_file_with_commas_inside_answers(tmp_path: Path) -> None:
    text = 'id;Att1;Att2;Comment\n1;4;5;"good; very good, really"\n2;3;2;a,b,c,d,e\n'
    raw = read_table(_write(tmp_path / "q.csv", text))
    assert raw.details["delimiter"] == ";"
    assert raw.frame["Comment"].tolist() == ["good; very good, really", "a,b,c,d,e"]


def test_row_numbers_follow_the_file_lines(tmp_path: Path) -> None:
    # a title line, a blank line, a quoted answer over two lines, a blank line in the data
    text = ('Survey export\n'
            '\n'
            'id,Att1,Att2,Att3,Comment\n'
            '1,4,5,4,"two\nlines"\n'
            '2,3,4,2,ok\n'
            '\n'
            '3,2,9,1,ok\n')
    path = _write(tmp_path / "s.csv", text)
    raw = read_table(path)
    assert raw.details["header_row"] == 3
    assert raw.file_rows() == [4, 6, 8]
    assert raw.frame["Comment"].iloc[0] == "two\nlines"
    with pytest.raises(InputError) as err:
        load_survey(path, _model(scale=(1, 5)))
    assert (err.value.location.row, err.value.location.column) == (8, "Att2")


def test_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"id,Att1,Att2\r\n1,4,5\r\n2,3,\r\n3,7,1\r\n")
    raw = read_table(path)
    assert raw.frame["Att1"].tolist() == [4, 3, 7]
    with pytest.raises(InputError) as err:
        load_survey(path, _model("A =~ Att1 + Att2", scale=(1, 5)))
    assert err.value.location.row == 4


def test_header_row_from_the_model(tmp_path: Path) -> None:
    text = "Name,Question 1,Question 2\nid,Att1,Att2\n1,4,5\n2,3,3\n"
    path = _write(tmp_path / "s.csv", text)
    raw = read_table(path, DataSpec(header_row=2))
    assert list(raw.frame.columns) == ["id", "Att1", "Att2"]
    assert raw.first_data_row == 3


def test_mixed_delimiters_name_the_row(tmp_path: Path) -> None:
    text = "id,Att1,Att2,Att3\n1,4,5,4\n2,3,3,3\n3;2;2;2\n4,5,5,5\n"
    path = _write(tmp_path / "s.csv", text)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.location.row == 4 and err.value.location.file == str(path)
    assert "mixes delimiters" in str(err.value)


def test_header_with_commas_rows_with_semicolons(tmp_path: Path) -> None:
    text = "id,Att1,Att2,Att3\n" + "".join(f"{i};4;5;4\n" for i in range(1, 6))
    with pytest.raises(InputError, match="field"):
        read_table(_write(tmp_path / "s.csv", text))


def test_trailing_delimiters_are_tolerated(tmp_path: Path) -> None:
    raw = read_table(_write(tmp_path / "s.csv", "id,Att1,Att2\n1,4,5,\n2,3,3,\n,,\n"))
    assert raw.frame.shape == (2, 3)
    raw = read_table(_write(tmp_path / "h.csv", "id,Att1,Att2,\n1,4,5\n2,3,3\n"))
    assert list(raw.frame.columns) == ["id", "Att1", "Att2"] and raw.frame.shape == (2, 3)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_text_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty"):
        read_table(path)


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no data rows"):
        read_table(_write(tmp_path / "s.csv", "id,Att1,Att2\n"))


def test_missing_file_and_folder_and_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="folder"):
        read_table(tmp_path)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"unsupported file type '\.xls'.*\.xlsx"):
        read_table(xls)


def test_qualtrics_description_rows_are_skipped(tmp_path: Path) -> None:
    text = ('StartDate,ResponseId,Att1,Att2\n'
            '"Start Date","Response ID","I notice the ads - Att1","I remember them - Att2"\n'
            '"{""ImportId"":""startDate""}","{""ImportId"":""_recordId""}",'
            '"{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"\n'
            '2024-01-01,R_1,4,5\n'
            '2024-01-02,R_2,3,9\n')
    path = _write(tmp_path / "qualtrics.csv", text)
    raw = read_table(path)
    assert raw.frame["Att1"].tolist() == [4, 3]
    assert raw.first_data_row == 4 and raw.details["description_rows_skipped"] == 2
    with pytest.raises(InputError) as err:
        load_survey(path, _model("A =~ Att1 + Att2", scale=(1, 5)))
    assert err.value.location.row == 5


def test_notes_below_the_data_are_not_respondents(tmp_path: Path) -> None:
    body = "id,A1,A2,A3\n1,4,5,4\n2,3,3,2\n3,5,4,5\n"
    path = _write(tmp_path / "notes.csv",
                  body + "\nSource: CX panel, March wave\n\"Note: 5 = strongly agree\"\n")
    table = read_table(path)
    assert len(table.frame) == 3 and table.details["notes_below_data"] == 3
    assert list(table.frame["A3"]) == [4, 2, 5]
    plain = read_table(_write(tmp_path / "plain.csv", body))
    assert "notes_below_data" not in plain.details
    # a last row with answers is a respondent, however few
    last = read_table(_write(tmp_path / "last.csv", body + "4,,,2\n"))
    assert len(last.frame) == 4 and "notes_below_data" not in last.details
    # a note in the middle of the data stays an error: rows are never silently lost
    with pytest.raises(InputError, match="1 field"):
        read_table(_write(tmp_path / "middle.csv", "id,A1,A2,A3\n1,4,5,4\nNote\n2,3,3,2\n"))
