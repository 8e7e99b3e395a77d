"""Writes the template surveys' XLSForm files from the texts below (reviewed translations in
all twelve languages). ``python -m surveys.templates.build`` rewrites both files."""

from collections.abc import Mapping
from decimal import Decimal

from questions import Kind, Option
from questions.engine import NO, YES
from surveys.forms import Form, FormQuestion, QuestionTexts, SurveyTexts
from surveys.templates import AFTER_CLEANUP, AFTER_ROUNDTABLE
from surveys.xlsform import write_form

Texts = Mapping[str, str]
VERSION = "2026120301"

THANK_YOU: Texts = {
    "en": "Thank you! Your answers have been saved.",
    "zh": "谢谢！您的回答已保存。",
    "id": "Terima kasih! Jawaban Anda sudah tersimpan.",
    "ms": "Terima kasih! Jawapan anda telah disimpan.",
    "th": "ขอบคุณ! บันทึกคำตอบของคุณแล้ว",
    "vi": "Cảm ơn bạn! Câu trả lời của bạn đã được lưu.",
    "fil": "Salamat! Nai-save na ang iyong mga sagot.",
    "km": "សូមអរគុណ! ចម្លើយរបស់អ្នកត្រូវបានរក្សាទុកហើយ។",
    "lo": "ຂອບໃຈ! ບັນທຶກຄຳຕອບຂອງທ່ານແລ້ວ.",
    "my": "ကျေးဇူးတင်ပါသည်။ သင်၏အဖြေများကို သိမ်းဆည်းပြီးပါပြီ။",
    "ta": "நன்றி! உங்கள் பதில்கள் சேமிக்கப்பட்டன.",
    "pt": "Obrigado! As suas respostas foram guardadas.",
}
YES_LABELS: Texts = {
    "en": "Yes",
    "zh": "是",
    "id": "Ya",
    "ms": "Ya",
    "th": "ใช่",
    "vi": "Có",
    "fil": "Oo",
    "km": "បាទ/ចាស",
    "lo": "ແມ່ນ",
    "my": "ဟုတ်ကဲ့",
    "ta": "ஆம்",
    "pt": "Sim",
}
NO_LABELS: Texts = {
    "en": "No",
    "zh": "否",
    "id": "Tidak",
    "ms": "Tidak",
    "th": "ไม่",
    "vi": "Không",
    "fil": "Hindi",
    "km": "ទេ",
    "lo": "ບໍ່",
    "my": "မဟုတ်ပါ",
    "ta": "இல்லை",
    "pt": "Não",
}
POOR: Texts = {
    "en": "Poor",
    "zh": "很差",
    "id": "Buruk",
    "ms": "Lemah",
    "th": "แย่",
    "vi": "Kém",
    "fil": "Mahina",
    "km": "ខ្សោយ",
    "lo": "ບໍ່ດີ",
    "my": "ညံ့သည်",
    "ta": "மோசம்",
    "pt": "Fraco",
}
EXCELLENT: Texts = {
    "en": "Excellent",
    "zh": "非常好",
    "id": "Sangat baik",
    "ms": "Cemerlang",
    "th": "ดีเยี่ยม",
    "vi": "Xuất sắc",
    "fil": "Napakahusay",
    "km": "ល្អឥតខ្ចោះ",
    "lo": "ດີເລີດ",
    "my": "အလွန်ကောင်းသည်",
    "ta": "மிகச் சிறப்பு",
    "pt": "Excelente",
}
NOT_AT_ALL_LIKELY: Texts = {
    "en": "Not at all likely",
    "zh": "完全不可能",
    "id": "Sangat tidak mungkin",
    "ms": "Langsung tidak mungkin",
    "th": "ไม่มีแนวโน้มเลย",
    "vi": "Hoàn toàn không",
    "fil": "Hinding-hindi",
    "km": "មិនទំនងទាល់តែសោះ",
    "lo": "ບໍ່ມີແນວໂນ້ມເລີຍ",
    "my": "လုံးဝ မဖြစ်နိုင်ပါ",
    "ta": "வாய்ப்பே இல்லை",
    "pt": "Nada provável",
}
EXTREMELY_LIKELY: Texts = {
    "en": "Extremely likely",
    "zh": "极有可能",
    "id": "Sangat mungkin",
    "ms": "Sangat mungkin",
    "th": "มีแนวโน้มมากที่สุด",
    "vi": "Chắc chắn có",
    "fil": "Tiyak na tiyak",
    "km": "ទំនងខ្លាំងបំផុត",
    "lo": "ມີແນວໂນ້ມຫຼາຍທີ່ສຸດ",
    "my": "အလွန် ဖြစ်နိုင်သည်",
    "ta": "நிச்சயமாக",
    "pt": "Extremamente provável",
}
IMPROVE: Texts = {
    "en": "What should we improve next time?",
    "zh": "下次我们应该改进哪些方面？",
    "id": "Apa yang sebaiknya kami perbaiki lain kali?",
    "ms": "Apakah yang patut kami perbaiki pada masa akan datang?",
    "th": "ครั้งหน้าเราควรปรับปรุงอะไรบ้าง",
    "vi": "Lần sau chúng tôi nên cải thiện điều gì?",
    "fil": "Ano ang dapat naming pagbutihin sa susunod?",
    "km": "តើយើងគួរកែលម្អអ្វីខ្លះនៅលើកក្រោយ?",
    "lo": "ຄັ້ງໜ້າພວກເຮົາຄວນປັບປຸງຫຍັງແດ່?",
    "my": "နောက်တစ်ကြိမ်တွင် ဘာတွေကို ပိုမိုကောင်းမွန်အောင် လုပ်သင့်ပါသနည်း။",
    "ta": "அடுத்த முறை நாங்கள் எதை மேம்படுத்த வேண்டும்?",
    "pt": "O que devemos melhorar da próxima vez?",
}


def _labels(texts: Texts) -> dict[str, QuestionTexts]:
    return {language: QuestionTexts(label=text) for language, text in texts.items()}


def _rating(name: str, label: Texts, low: Texts, high: Texts, *, top: int = 5) -> FormQuestion:
    bottom = 0 if top == 10 else 1
    return FormQuestion(
        name=name,
        kind=Kind.RATING,
        texts=_labels(label),
        required=True,
        minimum=Decimal(bottom),
        maximum=Decimal(top),
        options=(Option(str(bottom), low), Option(str(top), high)),
    )


def _yes_no(name: str, label: Texts) -> FormQuestion:
    return FormQuestion(
        name=name,
        kind=Kind.YES_NO,
        texts=_labels(label),
        required=True,
        options=(Option(YES, YES_LABELS), Option(NO, NO_LABELS)),
    )


def _text(name: str, label: Texts, relevant: str | None = None) -> FormQuestion:
    return FormQuestion(name=name, kind=Kind.TEXT, texts=_labels(label), relevant=relevant)


def _choice(
    name: str, kind: Kind, label: Texts, options: Mapping[str, Texts], *, required: bool = False
) -> FormQuestion:
    return FormQuestion(
        name=name,
        kind=kind,
        texts=_labels(label),
        required=required,
        options=tuple(Option(value, labels) for value, labels in options.items()),
        other=True,
    )


def _survey_texts(title: Texts, introduction: Texts) -> dict[str, SurveyTexts]:
    return {
        language: SurveyTexts(
            title=title[language],
            introduction=introduction[language],
            thank_you=THANK_YOU[language],
        )
        for language in title
    }


def after_roundtable() -> Form:
    return Form(
        form_id="tideline_after_roundtable",
        version=VERSION,
        default_language="en",
        texts=_survey_texts(
            {
                "en": "After the roundtable",
                "zh": "圆桌会议反馈",
                "id": "Setelah diskusi meja bundar",
                "ms": "Selepas meja bulat",
                "th": "หลังการประชุมโต๊ะกลม",
                "vi": "Sau hội thảo bàn tròn",
                "fil": "Pagkatapos ng roundtable",
                "km": "បន្ទាប់ពីកិច្ចពិភាក្សាតុមូល",
                "lo": "ຫຼັງກອງປະຊຸມໂຕະມົນ",
                "my": "စားပွဲဝိုင်းဆွေးနွေးပွဲအပြီး",
                "ta": "வட்டமேசைக் கூட்டத்திற்குப் பிறகு",
                "pt": "Depois da mesa-redonda",
            },
            {
                "en": "Thank you for joining the roundtable. A few short questions, about two "
                "minutes: your answers help us plan the next one.",
                "zh": "感谢您参加圆桌会议。以下几个简短问题约需两分钟，"
                "您的回答将帮助我们筹备下一次会议。",
                "id": "Terima kasih telah mengikuti diskusi meja bundar. Ada beberapa pertanyaan "
                "singkat, sekitar dua menit: jawaban Anda membantu kami merencanakan diskusi "
                "berikutnya.",
                "ms": "Terima kasih kerana menyertai meja bulat ini. Beberapa soalan ringkas, "
                "kira-kira dua minit: jawapan anda membantu kami merancang sesi seterusnya.",
                "th": "ขอบคุณที่เข้าร่วมการประชุมโต๊ะกลม มีคำถามสั้น ๆ ไม่กี่ข้อ "
                "ใช้เวลาประมาณสองนาที คำตอบของคุณจะช่วยให้เราวางแผนครั้งต่อไปได้ดียิ่งขึ้น",
                "vi": "Cảm ơn bạn đã tham gia hội thảo bàn tròn. Chỉ vài câu hỏi ngắn, khoảng hai "
                "phút: câu trả lời của bạn giúp chúng tôi chuẩn bị cho lần sau.",
                "fil": "Salamat sa pagsali sa roundtable. Ilang maiikling tanong lang, mga "
                "dalawang minuto: makatutulong ang iyong mga sagot sa pagpaplano namin ng "
                "susunod.",
                "km": "សូមអរគុណដែលបានចូលរួមកិច្ចពិភាក្សាតុមូល។ មានសំណួរខ្លីៗមួយចំនួន "
                "ចំណាយពេលប្រហែលពីរនាទី៖ ចម្លើយរបស់អ្នកជួយយើងរៀបចំផែនការសម្រាប់លើកក្រោយ។",
                "lo": "ຂອບໃຈທີ່ເຂົ້າຮ່ວມກອງປະຊຸມໂຕະມົນ. ມີຄຳຖາມສັ້ນໆບໍ່ເທົ່າໃດຂໍ້, "
                "ໃຊ້ເວລາປະມານສອງນາທີ: ຄຳຕອບຂອງທ່ານຈະຊ່ວຍພວກເຮົາວາງແຜນຄັ້ງຕໍ່ໄປ.",
                "my": "စားပွဲဝိုင်းဆွေးနွေးပွဲသို့ တက်ရောက်ပေးသည့်အတွက် ကျေးဇူးတင်ပါသည်။ "
                "မေးခွန်းတိုအနည်းငယ်သာ ဖြစ်ပြီး နှစ်မိနစ်ခန့် ကြာပါမည်။ "
                "သင်၏အဖြေများက နောက်တစ်ကြိမ်အတွက် စီစဉ်ရာတွင် ကူညီပါလိမ့်မည်။",
                "ta": "வட்டமேசைக் கூட்டத்தில் கலந்துகொண்டதற்கு நன்றி. சில சிறிய கேள்விகள், "
                "சுமார் இரண்டு நிமிடங்கள்: உங்கள் பதில்கள் அடுத்த கூட்டத்தைத் திட்டமிட "
                "எங்களுக்கு உதவும்.",
                "pt": "Obrigado por participar na mesa-redonda. São poucas perguntas curtas, cerca "
                "de dois minutos: as suas respostas ajudam-nos a preparar a próxima.",
            },
        ),
        questions=(
            _rating(
                "overall",
                {
                    "en": "Overall, how would you rate the roundtable?",
                    "zh": "总体而言，您如何评价这次圆桌会议？",
                    "id": "Secara keseluruhan, bagaimana penilaian Anda tentang diskusi meja "
                    "bundar ini?",
                    "ms": "Secara keseluruhan, bagaimanakah penilaian anda terhadap meja bulat "
                    "ini?",
                    "th": "โดยรวมแล้ว คุณให้คะแนนการประชุมโต๊ะกลมครั้งนี้เท่าไร",
                    "vi": "Nhìn chung, bạn đánh giá hội thảo bàn tròn này thế nào?",
                    "fil": "Sa kabuuan, paano mo mamarkahan ang roundtable?",
                    "km": "ជារួម តើអ្នកវាយតម្លៃកិច្ចពិភាក្សាតុមូលនេះយ៉ាងដូចម្តេច?",
                    "lo": "ໂດຍລວມແລ້ວ ທ່ານໃຫ້ຄະແນນກອງປະຊຸມໂຕະມົນຄັ້ງນີ້ເທົ່າໃດ?",
                    "my": "ယေဘုယျအားဖြင့် ဤစားပွဲဝိုင်းဆွေးနွေးပွဲကို မည်သို့ အကဲဖြတ်ပါသနည်း။",
                    "ta": "மொத்தத்தில், இந்த வட்டமேசைக் கூட்டத்தை எப்படி மதிப்பிடுவீர்கள்?",
                    "pt": "De modo geral, como avalia a mesa-redonda?",
                },
                POOR,
                EXCELLENT,
            ),
            _rating(
                "useful",
                {
                    "en": "How useful was it for your work?",
                    "zh": "这次会议对您的工作有多大帮助？",
                    "id": "Seberapa bermanfaat diskusi ini bagi pekerjaan Anda?",
                    "ms": "Sejauh manakah sesi ini berguna untuk kerja anda?",
                    "th": "การประชุมครั้งนี้มีประโยชน์ต่องานของคุณมากน้อยเพียงใด",
                    "vi": "Buổi hội thảo hữu ích thế nào cho công việc của bạn?",
                    "fil": "Gaano ito kapaki-pakinabang sa iyong trabaho?",
                    "km": "តើវាមានប្រយោជន៍ប៉ុណ្ណាសម្រាប់ការងាររបស់អ្នក?",
                    "lo": "ມັນມີປະໂຫຍດຕໍ່ວຽກງານຂອງທ່ານຫຼາຍປານໃດ?",
                    "my": "သင့်လုပ်ငန်းအတွက် မည်မျှ အသုံးဝင်ခဲ့ပါသနည်း။",
                    "ta": "இது உங்கள் பணிக்கு எவ்வளவு பயனுள்ளதாக இருந்தது?",
                    "pt": "Até que ponto foi útil para o seu trabalho?",
                },
                {
                    "en": "Not useful",
                    "zh": "没有帮助",
                    "id": "Tidak bermanfaat",
                    "ms": "Tidak berguna",
                    "th": "ไม่มีประโยชน์",
                    "vi": "Không hữu ích",
                    "fil": "Hindi kapaki-pakinabang",
                    "km": "គ្មានប្រយោជន៍",
                    "lo": "ບໍ່ມີປະໂຫຍດ",
                    "my": "အသုံးမဝင်ပါ",
                    "ta": "பயனில்லை",
                    "pt": "Nada útil",
                },
                {
                    "en": "Very useful",
                    "zh": "非常有帮助",
                    "id": "Sangat bermanfaat",
                    "ms": "Sangat berguna",
                    "th": "มีประโยชน์มาก",
                    "vi": "Rất hữu ích",
                    "fil": "Napakapakinabang",
                    "km": "មានប្រយោជន៍ណាស់",
                    "lo": "ມີປະໂຫຍດຫຼາຍ",
                    "my": "အလွန်အသုံးဝင်သည်",
                    "ta": "மிகவும் பயனுள்ளது",
                    "pt": "Muito útil",
                },
            ),
            _choice(
                "valuable",
                Kind.MULTIPLE,
                {
                    "en": "What did you find most valuable? (choose any)",
                    "zh": "您觉得哪些方面最有价值？（可多选）",
                    "id": "Apa yang paling bermanfaat bagi Anda? (boleh pilih lebih dari satu)",
                    "ms": "Apakah yang paling bernilai bagi anda? (boleh pilih lebih daripada "
                    "satu)",
                    "th": "คุณคิดว่าส่วนใดมีคุณค่ามากที่สุด (เลือกได้หลายข้อ)",
                    "vi": "Điều gì có giá trị nhất với bạn? (có thể chọn nhiều)",
                    "fil": "Ano ang pinakamahalaga para sa iyo? (puwedeng pumili ng higit sa isa)",
                    "km": "តើអ្វីដែលអ្នកយល់ថាមានតម្លៃបំផុត? (អាចជ្រើសរើសបានច្រើន)",
                    "lo": "ທ່ານເຫັນວ່າສ່ວນໃດມີຄຸນຄ່າທີ່ສຸດ? (ເລືອກໄດ້ຫຼາຍຂໍ້)",
                    "my": "အတန်ဖိုးအရှိဆုံးဟု ဘာကို တွေ့ရှိခဲ့ပါသနည်း။ (တစ်ခုထက်ပို၍ ရွေးနိုင်သည်)",
                    "ta": "எது உங்களுக்கு மிகவும் பயனுள்ளதாக இருந்தது? (ஒன்றுக்கு மேல் தேர்வு செய்யலாம்)",
                    "pt": "O que achou mais valioso? (pode escolher várias opções)",
                },
                {
                    "speakers": {
                        "en": "The speakers and presentations",
                        "zh": "演讲嘉宾和报告",
                        "id": "Pembicara dan presentasi",
                        "ms": "Penceramah dan pembentangan",
                        "th": "วิทยากรและการนำเสนอ",
                        "vi": "Diễn giả và bài trình bày",
                        "fil": "Ang mga tagapagsalita at presentasyon",
                        "km": "វាគ្មិន និងបទបង្ហាញ",
                        "lo": "ຜູ້ບັນຍາຍ ແລະ ການນຳສະເໜີ",
                        "my": "ဟောပြောသူများနှင့် တင်ပြချက်များ",
                        "ta": "பேச்சாளர்களும் விளக்கக்காட்சிகளும்",
                        "pt": "Os oradores e as apresentações",
                    },
                    "discussion": {
                        "en": "The discussion",
                        "zh": "讨论交流",
                        "id": "Diskusinya",
                        "ms": "Perbincangan",
                        "th": "การอภิปราย",
                        "vi": "Phần thảo luận",
                        "fil": "Ang talakayan",
                        "km": "ការពិភាក្សា",
                        "lo": "ການສົນທະນາ",
                        "my": "ဆွေးနွေးမှု",
                        "ta": "கலந்துரையாடல்",
                        "pt": "A discussão",
                    },
                    "networking": {
                        "en": "Meeting other participants",
                        "zh": "结识其他参与者",
                        "id": "Bertemu peserta lain",
                        "ms": "Bertemu peserta lain",
                        "th": "การได้พบผู้เข้าร่วมคนอื่น ๆ",
                        "vi": "Gặp gỡ những người tham dự khác",
                        "fil": "Pakikipagkilala sa ibang kalahok",
                        "km": "ការជួបអ្នកចូលរួមផ្សេងទៀត",
                        "lo": "ການໄດ້ພົບຜູ້ເຂົ້າຮ່ວມຄົນອື່ນ",
                        "my": "အခြားပါဝင်သူများနှင့် တွေ့ဆုံရခြင်း",
                        "ta": "மற்ற பங்கேற்பாளர்களைச் சந்தித்தது",
                        "pt": "Conhecer outros participantes",
                    },
                    "ideas": {
                        "en": "Practical ideas I can use",
                        "zh": "可以实际运用的想法",
                        "id": "Ide praktis yang bisa saya terapkan",
                        "ms": "Idea praktikal yang boleh saya gunakan",
                        "th": "แนวคิดที่นำไปใช้ได้จริง",
                        "vi": "Những ý tưởng thiết thực tôi có thể áp dụng",
                        "fil": "Mga praktikal na ideyang magagamit ko",
                        "km": "គំនិតជាក់ស្តែងដែលខ្ញុំអាចយកទៅប្រើបាន",
                        "lo": "ແນວຄິດທີ່ນຳໄປໃຊ້ໄດ້ແທ້",
                        "my": "ကျွန်ုပ် အသုံးချနိုင်မည့် လက်တွေ့ကျသော အကြံဉာဏ်များ",
                        "ta": "நான் பயன்படுத்தக்கூடிய நடைமுறை யோசனைகள்",
                        "pt": "Ideias práticas que posso usar",
                    },
                },
            ),
            _text("improve", IMPROVE),
            _yes_no(
                "again",
                {
                    "en": "Would you come to another roundtable?",
                    "zh": "您还会参加下一次圆桌会议吗？",
                    "id": "Apakah Anda akan datang ke diskusi meja bundar berikutnya?",
                    "ms": "Adakah anda akan hadir ke meja bulat yang lain?",
                    "th": "คุณจะมาร่วมการประชุมโต๊ะกลมครั้งต่อไปอีกไหม",
                    "vi": "Bạn có muốn tham dự hội thảo bàn tròn lần tới không?",
                    "fil": "Dadalo ka ba sa susunod na roundtable?",
                    "km": "តើអ្នកនឹងមកចូលរួមកិច្ចពិភាក្សាតុមូលលើកក្រោយទៀតទេ?",
                    "lo": "ທ່ານຈະມາຮ່ວມກອງປະຊຸມໂຕະມົນຄັ້ງຕໍ່ໄປອີກບໍ່?",
                    "my": "နောက်ထပ် စားပွဲဝိုင်းဆွေးနွေးပွဲသို့ တက်ရောက်မည်လား။",
                    "ta": "இன்னொரு வட்டமேசைக் கூட்டத்திற்கு வருவீர்களா?",
                    "pt": "Voltaria a participar numa mesa-redonda?",
                },
            ),
            _text(
                "come_again_if",
                {
                    "en": "What would make you come again?",
                    "zh": "怎样才会让您愿意再来参加？",
                    "id": "Apa yang akan membuat Anda mau datang lagi?",
                    "ms": "Apakah yang akan membuatkan anda mahu hadir lagi?",
                    "th": "อะไรจะทำให้คุณอยากกลับมาร่วมอีก",
                    "vi": "Điều gì sẽ khiến bạn muốn quay lại?",
                    "fil": "Ano ang magpapabalik sa iyo?",
                    "km": "តើអ្វីដែលនឹងធ្វើឱ្យអ្នកចង់មកម្តងទៀត?",
                    "lo": "ຫຍັງຈະເຮັດໃຫ້ທ່ານຢາກກັບມາຮ່ວມອີກ?",
                    "my": "ဘာက သင့်ကို နောက်တစ်ကြိမ် ပြန်လာချင်စေမလဲ။",
                    "ta": "எது உங்களை மீண்டும் வர வைக்கும்?",
                    "pt": "O que o faria voltar?",
                },
                relevant="${again} = 'no'",
            ),
            _rating(
                "recommend",
                {
                    "en": "How likely are you to recommend these roundtables to a colleague?",
                    "zh": "您向同事推荐这些圆桌会议的可能性有多大？",
                    "id": "Seberapa besar kemungkinan Anda merekomendasikan diskusi meja bundar "
                    "ini kepada rekan kerja?",
                    "ms": "Sejauh manakah kemungkinan anda mengesyorkan sesi meja bulat ini "
                    "kepada rakan sekerja?",
                    "th": "คุณมีแนวโน้มจะแนะนำการประชุมโต๊ะกลมเหล่านี้ให้เพื่อนร่วมงานมากน้อยเพียงใด",
                    "vi": "Khả năng bạn giới thiệu các hội thảo bàn tròn này cho đồng nghiệp là "
                    "bao nhiêu?",
                    "fil": "Gaano kalamang na irekomenda mo ang mga roundtable na ito sa isang "
                    "kasamahan?",
                    "km": "តើអ្នកទំនងជានឹងណែនាំកិច្ចពិភាក្សាតុមូលទាំងនេះដល់មិត្តរួមការងារកម្រិតណា?",
                    "lo": "ທ່ານມີແນວໂນ້ມຈະແນະນຳກອງປະຊຸມໂຕະມົນເຫຼົ່ານີ້ໃຫ້ເພື່ອນຮ່ວມງານຫຼາຍປານໃດ?",
                    "my": "ဤစားပွဲဝိုင်းဆွေးနွေးပွဲများကို လုပ်ဖော်ကိုင်ဖက်တစ်ဦးထံ အကြံပြုရန် မည်မျှ ဖြစ်နိုင်ပါသနည်း။",
                    "ta": "இந்த வட்டமேசைக் கூட்டங்களை ஒரு சக ஊழியருக்குப் பரிந்துரைக்க எவ்வளவு வாய்ப்பு உள்ளது?",
                    "pt": "Qual a probabilidade de recomendar estas mesas-redondas a um colega?",
                },
                NOT_AT_ALL_LIKELY,
                EXTREMELY_LIKELY,
                top=10,
            ),
        ),
    )


def after_cleanup() -> Form:
    return Form(
        form_id="tideline_after_cleanup",
        version=VERSION,
        default_language="en",
        texts=_survey_texts(
            {
                "en": "After the cleanup",
                "zh": "清洁活动反馈",
                "id": "Setelah aksi bersih-bersih",
                "ms": "Selepas aktiviti pembersihan",
                "th": "หลังกิจกรรมเก็บขยะ",
                "vi": "Sau buổi dọn rác",
                "fil": "Pagkatapos ng paglilinis",
                "km": "បន្ទាប់ពីសកម្មភាពសម្អាត",
                "lo": "ຫຼັງກິດຈະກຳອະນາໄມ",
                "my": "သန့်ရှင်းရေးလုပ်ငန်းအပြီး",
                "ta": "தூய்மைப் பணிக்குப் பிறகு",
                "pt": "Depois da limpeza",
            },
            {
                "en": "Thank you for joining the cleanup! A few short questions, about two "
                "minutes: your answers help us organize the next one.",
                "zh": "感谢您参加清洁活动！以下几个简短问题约需两分钟，"
                "您的回答将帮助我们组织下一次活动。",
                "id": "Terima kasih telah ikut aksi bersih-bersih! Ada beberapa pertanyaan "
                "singkat, sekitar dua menit: jawaban Anda membantu kami menyelenggarakan "
                "kegiatan berikutnya.",
                "ms": "Terima kasih kerana menyertai aktiviti pembersihan! Beberapa soalan "
                "ringkas, kira-kira dua minit: jawapan anda membantu kami menganjurkan aktiviti "
                "seterusnya.",
                "th": "ขอบคุณที่มาร่วมเก็บขยะ! มีคำถามสั้น ๆ ไม่กี่ข้อ ใช้เวลาประมาณสองนาที "
                "คำตอบของคุณจะช่วยให้เราจัดครั้งต่อไปได้ดียิ่งขึ้น",
                "vi": "Cảm ơn bạn đã tham gia buổi dọn rác! Chỉ vài câu hỏi ngắn, khoảng hai "
                "phút: câu trả lời của bạn giúp chúng tôi tổ chức lần sau tốt hơn.",
                "fil": "Salamat sa pagsali sa paglilinis! Ilang maiikling tanong lang, mga "
                "dalawang minuto: makatutulong ang iyong mga sagot sa pag-oorganisa namin ng "
                "susunod.",
                "km": "សូមអរគុណដែលបានចូលរួមសកម្មភាពសម្អាត! មានសំណួរខ្លីៗមួយចំនួន "
                "ចំណាយពេលប្រហែលពីរនាទី៖ ចម្លើយរបស់អ្នកជួយយើងរៀបចំលើកក្រោយ។",
                "lo": "ຂອບໃຈທີ່ມາຮ່ວມກິດຈະກຳອະນາໄມ! ມີຄຳຖາມສັ້ນໆບໍ່ເທົ່າໃດຂໍ້, "
                "ໃຊ້ເວລາປະມານສອງນາທີ: ຄຳຕອບຂອງທ່ານຈະຊ່ວຍພວກເຮົາຈັດຄັ້ງຕໍ່ໄປ.",
                "my": "သန့်ရှင်းရေးလုပ်ငန်းသို့ ပါဝင်ပေးသည့်အတွက် ကျေးဇူးတင်ပါသည်။ "
                "မေးခွန်းတိုအနည်းငယ်သာ ဖြစ်ပြီး နှစ်မိနစ်ခန့် ကြာပါမည်။ "
                "သင်၏အဖြေများက နောက်တစ်ကြိမ်ကို စီစဉ်ရာတွင် ကူညီပါလိမ့်မည်။",
                "ta": "தூய்மைப் பணியில் கலந்துகொண்டதற்கு நன்றி! சில சிறிய கேள்விகள், சுமார் "
                "இரண்டு நிமிடங்கள்: உங்கள் பதில்கள் அடுத்த நிகழ்வை ஏற்பாடு செய்ய "
                "எங்களுக்கு உதவும்.",
                "pt": "Obrigado por participar na limpeza! São poucas perguntas curtas, cerca de "
                "dois minutos: as suas respostas ajudam-nos a organizar a próxima.",
            },
        ),
        questions=(
            _rating(
                "overall",
                {
                    "en": "Overall, how was the cleanup?",
                    "zh": "总体而言，您觉得这次清洁活动怎么样？",
                    "id": "Secara keseluruhan, bagaimana aksi bersih-bersih ini?",
                    "ms": "Secara keseluruhan, bagaimanakah aktiviti pembersihan ini?",
                    "th": "โดยรวมแล้ว กิจกรรมเก็บขยะครั้งนี้เป็นอย่างไร",
                    "vi": "Nhìn chung, buổi dọn rác thế nào?",
                    "fil": "Sa kabuuan, kumusta ang paglilinis?",
                    "km": "ជារួម តើសកម្មភាពសម្អាតនេះយ៉ាងដូចម្តេចដែរ?",
                    "lo": "ໂດຍລວມແລ້ວ ກິດຈະກຳອະນາໄມຄັ້ງນີ້ເປັນແນວໃດ?",
                    "my": "ယေဘုယျအားဖြင့် ဤသန့်ရှင်းရေးလုပ်ငန်းသည် မည်သို့ရှိခဲ့ပါသနည်း။",
                    "ta": "மொத்தத்தில், தூய்மைப் பணி எப்படி இருந்தது?",
                    "pt": "De modo geral, como correu a limpeza?",
                },
                POOR,
                EXCELLENT,
            ),
            _rating(
                "organized",
                {
                    "en": "How well was it organized?",
                    "zh": "活动组织得怎么样？",
                    "id": "Seberapa baik kegiatan ini diatur?",
                    "ms": "Sejauh manakah aktiviti ini dianjurkan dengan baik?",
                    "th": "การจัดงานดีเพียงใด",
                    "vi": "Buổi dọn rác được tổ chức tốt đến mức nào?",
                    "fil": "Gaano kahusay ang pagkakaorganisa nito?",
                    "km": "តើវាត្រូវបានរៀបចំបានល្អកម្រិតណា?",
                    "lo": "ການຈັດງານດີປານໃດ?",
                    "my": "မည်မျှ ကောင်းမွန်စွာ စီစဉ်ထားခဲ့ပါသနည်း။",
                    "ta": "இது எவ்வளவு சிறப்பாக ஏற்பாடு செய்யப்பட்டிருந்தது?",
                    "pt": "Quão bem foi organizada?",
                },
                {
                    "en": "Poorly",
                    "zh": "组织得很差",
                    "id": "Buruk",
                    "ms": "Kurang baik",
                    "th": "ไม่ดี",
                    "vi": "Kém",
                    "fil": "Hindi maayos",
                    "km": "មិនល្អ",
                    "lo": "ບໍ່ດີ",
                    "my": "မကောင်းပါ",
                    "ta": "சரியில்லை",
                    "pt": "Mal",
                },
                {
                    "en": "Very well",
                    "zh": "组织得非常好",
                    "id": "Sangat baik",
                    "ms": "Sangat baik",
                    "th": "ดีมาก",
                    "vi": "Rất tốt",
                    "fil": "Napakaayos",
                    "km": "ល្អណាស់",
                    "lo": "ດີຫຼາຍ",
                    "my": "အလွန်ကောင်းသည်",
                    "ta": "மிகச் சிறப்பாக",
                    "pt": "Muito bem",
                },
            ),
            _choice(
                "heard_from",
                Kind.CHOICE,
                {
                    "en": "How did you hear about this cleanup?",
                    "zh": "您是从哪里得知这次清洁活动的？",
                    "id": "Dari mana Anda tahu tentang aksi bersih-bersih ini?",
                    "ms": "Bagaimanakah anda mengetahui tentang aktiviti pembersihan ini?",
                    "th": "คุณทราบข่าวกิจกรรมเก็บขยะครั้งนี้จากที่ใด",
                    "vi": "Bạn biết đến buổi dọn rác này qua đâu?",
                    "fil": "Paano mo nalaman ang tungkol sa paglilinis na ito?",
                    "km": "តើអ្នកបានដឹងអំពីសកម្មភាពសម្អាតនេះតាមរយៈអ្វី?",
                    "lo": "ທ່ານຮູ້ຂ່າວກິດຈະກຳອະນາໄມຄັ້ງນີ້ຈາກໃສ?",
                    "my": "ဤသန့်ရှင်းရေးလုပ်ငန်းအကြောင်း မည်သို့ သိရှိခဲ့ပါသနည်း။",
                    "ta": "இந்தத் தூய்மைப் பணியைப் பற்றி எப்படித் தெரிந்துகொண்டீர்கள்?",
                    "pt": "Como soube desta limpeza?",
                },
                {
                    "friends": {
                        "en": "Friends or family",
                        "zh": "朋友或家人",
                        "id": "Teman atau keluarga",
                        "ms": "Rakan atau keluarga",
                        "th": "เพื่อนหรือครอบครัว",
                        "vi": "Bạn bè hoặc gia đình",
                        "fil": "Mga kaibigan o pamilya",
                        "km": "មិត្តភក្តិ ឬក្រុមគ្រួសារ",
                        "lo": "ໝູ່ເພື່ອນ ຫຼື ຄອບຄົວ",
                        "my": "သူငယ်ချင်း သို့မဟုတ် မိသားစု",
                        "ta": "நண்பர்கள் அல்லது குடும்பத்தினர்",
                        "pt": "Amigos ou família",
                    },
                    "social_media": {
                        "en": "Social media",
                        "zh": "社交媒体",
                        "id": "Media sosial",
                        "ms": "Media sosial",
                        "th": "โซเชียลมีเดีย",
                        "vi": "Mạng xã hội",
                        "fil": "Social media",
                        "km": "បណ្តាញសង្គម",
                        "lo": "ສື່ສັງຄົມອອນລາຍ",
                        "my": "ဆိုရှယ်မီဒီယာ",
                        "ta": "சமூக ஊடகங்கள்",
                        "pt": "Redes sociais",
                    },
                    "organization": {
                        "en": "My school, workplace or organization",
                        "zh": "我的学校、单位或组织",
                        "id": "Sekolah, tempat kerja, atau organisasi saya",
                        "ms": "Sekolah, tempat kerja atau organisasi saya",
                        "th": "โรงเรียน ที่ทำงาน หรือองค์กรของฉัน",
                        "vi": "Trường học, nơi làm việc hoặc tổ chức của tôi",
                        "fil": "Ang aking paaralan, trabaho o organisasyon",
                        "km": "សាលា កន្លែងធ្វើការ ឬអង្គការរបស់ខ្ញុំ",
                        "lo": "ໂຮງຮຽນ, ບ່ອນເຮັດວຽກ ຫຼື ອົງການຂອງຂ້ອຍ",
                        "my": "ကျွန်ုပ်၏ ကျောင်း၊ အလုပ်ဌာန သို့မဟုတ် အဖွဲ့အစည်း",
                        "ta": "என் பள்ளி, பணியிடம் அல்லது அமைப்பு",
                        "pt": "A minha escola, local de trabalho ou organização",
                    },
                    "this_bot": {
                        "en": "A message from this bot",
                        "zh": "本机器人发送的消息",
                        "id": "Pesan dari bot ini",
                        "ms": "Mesej daripada bot ini",
                        "th": "ข้อความจากบอตนี้",
                        "vi": "Tin nhắn từ bot này",
                        "fil": "Mensahe mula sa bot na ito",
                        "km": "សារពីបូតនេះ",
                        "lo": "ຂໍ້ຄວາມຈາກບອດນີ້",
                        "my": "ဤဘော့မှ ပို့သော မက်ဆေ့ချ်",
                        "ta": "இந்த போட்டிலிருந்து வந்த செய்தி",
                        "pt": "Uma mensagem deste bot",
                    },
                },
                required=True,
            ),
            _choice(
                "litter",
                Kind.MULTIPLE,
                {
                    "en": "Which litter worried you most? (choose any)",
                    "zh": "哪些垃圾最让您担忧？（可多选）",
                    "id": "Sampah apa yang paling membuat Anda khawatir? (boleh pilih lebih dari "
                    "satu)",
                    "ms": "Sampah manakah yang paling membimbangkan anda? (boleh pilih lebih "
                    "daripada satu)",
                    "th": "ขยะประเภทใดที่คุณกังวลมากที่สุด (เลือกได้หลายข้อ)",
                    "vi": "Loại rác nào khiến bạn lo ngại nhất? (có thể chọn nhiều)",
                    "fil": "Aling basura ang pinakanakabahala sa iyo? (puwedeng pumili ng higit "
                    "sa isa)",
                    "km": "តើសំរាមប្រភេទណាដែលធ្វើឱ្យអ្នកព្រួយបារម្ភបំផុត? (អាចជ្រើសរើសបានច្រើន)",
                    "lo": "ຂີ້ເຫຍື້ອປະເພດໃດທີ່ທ່ານເປັນຫ່ວງທີ່ສຸດ? (ເລືອກໄດ້ຫຼາຍຂໍ້)",
                    "my": "မည်သည့် အမှိုက်အမျိုးအစားက သင့်ကို အစိုးရိမ်ဆုံး ဖြစ်စေခဲ့ပါသနည်း။ (တစ်ခုထက်ပို၍ ရွေးနိုင်သည်)",
                    "ta": "எந்தக் குப்பை உங்களை மிகவும் கவலைப்படுத்தியது? (ஒன்றுக்கு மேல் தேர்வு செய்யலாம்)",
                    "pt": "Que lixo mais o preocupou? (pode escolher várias opções)",
                },
                {
                    "bottles": {
                        "en": "Plastic bottles",
                        "zh": "塑料瓶",
                        "id": "Botol plastik",
                        "ms": "Botol plastik",
                        "th": "ขวดพลาสติก",
                        "vi": "Chai nhựa",
                        "fil": "Mga boteng plastik",
                        "km": "ដបប្លាស្ទិក",
                        "lo": "ຕຸກພລາສຕິກ",
                        "my": "ပလတ်စတစ်ပုလင်းများ",
                        "ta": "பிளாஸ்டிக் பாட்டில்கள்",
                        "pt": "Garrafas de plástico",
                    },
                    "bags": {
                        "en": "Plastic bags",
                        "zh": "塑料袋",
                        "id": "Kantong plastik",
                        "ms": "Beg plastik",
                        "th": "ถุงพลาสติก",
                        "vi": "Túi ni lông",
                        "fil": "Mga plastic bag",
                        "km": "ថង់ប្លាស្ទិក",
                        "lo": "ຖົງຢາງ",
                        "my": "ပလတ်စတစ်အိတ်များ",
                        "ta": "பிளாஸ்டிக் பைகள்",
                        "pt": "Sacos de plástico",
                    },
                    "sachets": {
                        "en": "Sachets and food wrappers",
                        "zh": "小包装袋和食品包装",
                        "id": "Sachet dan bungkus makanan",
                        "ms": "Sachet dan pembalut makanan",
                        "th": "ซองขนาดเล็กและบรรจุภัณฑ์อาหาร",
                        "vi": "Gói nhỏ và bao bì thực phẩm",
                        "fil": "Mga sachet at balot ng pagkain",
                        "km": "កញ្ចប់តូចៗ និងសំបកខ្ចប់អាហារ",
                        "lo": "ຊອງນ້ອຍ ແລະ ຫໍ່ອາຫານ",
                        "my": "ထုပ်သေးများနှင့် အစားအစာထုပ်ပိုးစများ",
                        "ta": "சாஷேக்களும் உணவுப் பொட்டல உறைகளும்",
                        "pt": "Saquetas e embalagens de comida",
                    },
                    "foam": {
                        "en": "Foam containers",
                        "zh": "泡沫餐盒",
                        "id": "Wadah styrofoam",
                        "ms": "Bekas polistirena",
                        "th": "กล่องโฟม",
                        "vi": "Hộp xốp",
                        "fil": "Mga lalagyang styrofoam",
                        "km": "ប្រអប់ស្នោ",
                        "lo": "ກ່ອງໂຟມ",
                        "my": "ဖော့ဘူးများ",
                        "ta": "நுரைப்பொருள் உணவுப் பெட்டிகள்",
                        "pt": "Caixas de esferovite",
                    },
                    "cigarette_butts": {
                        "en": "Cigarette butts",
                        "zh": "烟头",
                        "id": "Puntung rokok",
                        "ms": "Puntung rokok",
                        "th": "ก้นบุหรี่",
                        "vi": "Đầu lọc thuốc lá",
                        "fil": "Upos ng sigarilyo",
                        "km": "គល់បារី",
                        "lo": "ກົ້ນຢາສູບ",
                        "my": "စီးကရက်တိုများ",
                        "ta": "சிகரெட் துண்டுகள்",
                        "pt": "Beatas de cigarro",
                    },
                    "fishing_gear": {
                        "en": "Fishing nets and lines",
                        "zh": "渔网和钓线",
                        "id": "Jaring dan tali pancing",
                        "ms": "Pukat dan tali pancing",
                        "th": "อวนและสายเบ็ด",
                        "vi": "Lưới và dây câu cá",
                        "fil": "Mga lambat at pising pangisda",
                        "km": "សំណាញ់ និងខ្សែនេសាទ",
                        "lo": "ມອງ ແລະ ສາຍເບັດ",
                        "my": "ငါးဖမ်းပိုက်ကွန်နှင့် ငါးမျှားကြိုးများ",
                        "ta": "மீன்பிடி வலைகளும் தூண்டில் நூல்களும்",
                        "pt": "Redes e linhas de pesca",
                    },
                },
            ),
            _yes_no(
                "again",
                {
                    "en": "Would you join another cleanup?",
                    "zh": "您还会参加下一次清洁活动吗？",
                    "id": "Apakah Anda akan ikut aksi bersih-bersih berikutnya?",
                    "ms": "Adakah anda akan menyertai aktiviti pembersihan yang lain?",
                    "th": "คุณจะมาร่วมเก็บขยะครั้งต่อไปอีกไหม",
                    "vi": "Bạn có tham gia buổi dọn rác lần sau không?",
                    "fil": "Sasali ka ba sa susunod na paglilinis?",
                    "km": "តើអ្នកនឹងចូលរួមសកម្មភាពសម្អាតលើកក្រោយទៀតទេ?",
                    "lo": "ທ່ານຈະມາຮ່ວມກິດຈະກຳອະນາໄມຄັ້ງຕໍ່ໄປອີກບໍ່?",
                    "my": "နောက်ထပ် သန့်ရှင်းရေးလုပ်ငန်းတွင် ပါဝင်မည်လား။",
                    "ta": "இன்னொரு தூய்மைப் பணியில் சேருவீர்களா?",
                    "pt": "Participaria noutra limpeza?",
                },
            ),
            _text("improve", IMPROVE),
            _rating(
                "invite_friend",
                {
                    "en": "How likely are you to invite a friend to the next cleanup?",
                    "zh": "您邀请朋友参加下一次清洁活动的可能性有多大？",
                    "id": "Seberapa besar kemungkinan Anda mengajak teman ke aksi bersih-bersih "
                    "berikutnya?",
                    "ms": "Sejauh manakah kemungkinan anda mengajak rakan ke aktiviti "
                    "pembersihan seterusnya?",
                    "th": "คุณมีแนวโน้มจะชวนเพื่อนมาร่วมเก็บขยะครั้งต่อไปมากน้อยเพียงใด",
                    "vi": "Khả năng bạn rủ một người bạn tham gia buổi dọn rác lần sau là bao "
                    "nhiêu?",
                    "fil": "Gaano kalamang na mag-imbita ka ng kaibigan sa susunod na paglilinis?",
                    "km": "តើអ្នកទំនងជានឹងអញ្ជើញមិត្តភក្តិមកចូលរួមសកម្មភាពសម្អាតលើកក្រោយកម្រិតណា?",
                    "lo": "ທ່ານມີແນວໂນ້ມຈະຊວນໝູ່ມາຮ່ວມກິດຈະກຳອະນາໄມຄັ້ງຕໍ່ໄປຫຼາຍປານໃດ?",
                    "my": "နောက်တစ်ကြိမ် သန့်ရှင်းရေးလုပ်ငန်းသို့ သူငယ်ချင်းတစ်ဦးကို ဖိတ်ခေါ်ရန် မည်မျှ ဖြစ်နိုင်ပါသနည်း။",
                    "ta": "அடுத்த தூய்மைப் பணிக்கு ஒரு நண்பரை அழைக்க எவ்வளவு வாய்ப்பு உள்ளது?",
                    "pt": "Qual a probabilidade de convidar um amigo para a próxima limpeza?",
                },
                NOT_AT_ALL_LIKELY,
                EXTREMELY_LIKELY,
                top=10,
            ),
        ),
    )


TEMPLATE_FORMS = {AFTER_ROUNDTABLE: after_roundtable, AFTER_CLEANUP: after_cleanup}


def main() -> None:
    for path, form in TEMPLATE_FORMS.items():
        path.write_bytes(write_form(form()))
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
