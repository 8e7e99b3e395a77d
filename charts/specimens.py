"""A survey question and a pledge metric in each of the twelve languages: the texts the chart
benchmark and the tests draw to show every script renders (Tamil's question is long on purpose,
so that its title wraps)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Specimen:
    question: str
    options: tuple[str, str, str, str]
    pledge_title: str
    metric: str
    reported: str
    path_to_target: str


SPECIMENS: dict[str, Specimen] = {
    "en": Specimen(
        "How useful was the roundtable for your work?",
        ("Very useful", "Somewhat useful", "Not very useful", "Not useful at all"),
        "Progress on the pledge",
        "Recycled content (%)",
        "Reported",
        "Path to target",
    ),
    "zh": Specimen(
        "这次圆桌会议对您的工作有多大帮助？",
        ("非常有用", "比较有用", "不太有用", "完全没用"),
        "承诺进展",
        "再生材料含量（%）",
        "已报告",
        "目标路径",
    ),
    "id": Specimen(
        "Seberapa bermanfaat diskusi meja bundar ini bagi pekerjaan Anda?",
        (
            "Sangat bermanfaat",
            "Cukup bermanfaat",
            "Kurang bermanfaat",
            "Sama sekali tidak bermanfaat",
        ),
        "Kemajuan komitmen",
        "Kandungan daur ulang (%)",
        "Dilaporkan",
        "Jalur menuju target",
    ),
    "ms": Specimen(
        "Sejauh manakah meja bulat ini berguna untuk kerja anda?",
        ("Sangat berguna", "Agak berguna", "Kurang berguna", "Langsung tidak berguna"),
        "Kemajuan ikrar",
        "Kandungan kitar semula (%)",
        "Dilaporkan",
        "Laluan ke sasaran",
    ),
    "th": Specimen(
        "การประชุมโต๊ะกลมครั้งนี้มีประโยชน์ต่องานของคุณมากน้อยเพียงใด",
        ("มีประโยชน์มาก", "มีประโยชน์พอสมควร", "มีประโยชน์น้อย", "ไม่มีประโยชน์เลย"),
        "ความคืบหน้าตามคำมั่น",
        "สัดส่วนวัสดุรีไซเคิล (%)",
        "ค่าที่รายงาน",
        "เส้นทางสู่เป้าหมาย",
    ),
    "vi": Specimen(
        "Hội nghị bàn tròn hữu ích thế nào cho công việc của bạn?",
        ("Rất hữu ích", "Khá hữu ích", "Không hữu ích lắm", "Hoàn toàn không hữu ích"),
        "Tiến độ thực hiện cam kết",
        "Tỷ lệ vật liệu tái chế (%)",
        "Đã báo cáo",
        "Lộ trình đến mục tiêu",
    ),
    "fil": Specimen(
        "Gaano kapaki-pakinabang ang roundtable sa iyong trabaho?",
        (
            "Napakapakinabang",
            "Medyo kapaki-pakinabang",
            "Hindi gaanong kapaki-pakinabang",
            "Hindi kapaki-pakinabang",
        ),
        "Pag-usad ng pangako",
        "Nilalamang recycled (%)",
        "Iniulat",
        "Landas tungo sa target",
    ),
    "km": Specimen(
        "តើកិច្ចប្រជុំតុមូលនេះមានប្រយោជន៍ប៉ុណ្ណាសម្រាប់ការងាររបស់អ្នក?",
        ("មានប្រយោជន៍ខ្លាំង", "មានប្រយោជន៍ខ្លះ", "មិនសូវមានប្រយោជន៍", "គ្មានប្រយោជន៍សោះ"),
        "វឌ្ឍនភាពនៃការប្តេជ្ញា",
        "មាតិកាកែច្នៃឡើងវិញ (%)",
        "បានរាយការណ៍",
        "ផ្លូវឆ្ពោះទៅគោលដៅ",
    ),
    "lo": Specimen(
        "ກອງປະຊຸມໂຕະມົນນີ້ມີປະໂຫຍດຕໍ່ວຽກງານຂອງທ່ານຫຼາຍປານໃດ?",
        ("ມີປະໂຫຍດຫຼາຍ", "ມີປະໂຫຍດພໍສົມຄວນ", "ມີປະໂຫຍດໜ້ອຍ", "ບໍ່ມີປະໂຫຍດເລີຍ"),
        "ຄວາມຄືບໜ້າຂອງຄຳໝັ້ນສັນຍາ",
        "ອັດຕາສ່ວນວັດສະດຸລີໄຊເຄີນ (%)",
        "ທີ່ລາຍງານ",
        "ເສັ້ນທາງສູ່ເປົ້າໝາຍ",
    ),
    "my": Specimen(
        "ဤစားပွဲဝိုင်းဆွေးနွေးပွဲသည် သင့်အလုပ်အတွက် မည်မျှအသုံးဝင်ခဲ့သနည်း။",
        ("အလွန်အသုံးဝင်သည်", "အတန်အသင့်အသုံးဝင်သည်", "သိပ်အသုံးမဝင်ပါ", "လုံးဝအသုံးမဝင်ပါ"),
        "ကတိကဝတ်တိုးတက်မှု",
        "ပြန်လည်အသုံးပြုပစ္စည်းပါဝင်မှု (%)",
        "အစီရင်ခံထားသည်",
        "ပန်းတိုင်သို့လမ်းကြောင်း",
    ),
    "ta": Specimen(
        "இந்த வட்டமேசைக் கலந்துரையாடல் உங்கள் பணிக்கு எவ்வளவு பயனுள்ளதாக இருந்தது என்பதைத் தயவுசெய்து மதிப்பிடுங்கள்",
        ("மிகவும் பயனுள்ளது", "ஓரளவு பயனுள்ளது", "அதிகம் பயனில்லை", "சற்றும் பயனில்லை"),
        "உறுதிமொழியின் முன்னேற்றம்",
        "மறுசுழற்சி உள்ளடக்கம் (%)",
        "அறிவிக்கப்பட்டது",
        "இலக்கை நோக்கிய பாதை",
    ),
    "pt": Specimen(
        "Quão útil foi a mesa-redonda para o seu trabalho?",
        ("Muito útil", "Razoavelmente útil", "Pouco útil", "Nada útil"),
        "Progresso do compromisso",
        "Conteúdo reciclado (%)",
        "Comunicado",
        "Trajetória até à meta",
    ),
}
